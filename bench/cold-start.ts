// Handler size and cold start: the bundle's bytes, and a fresh Node.js process that loads it and
// serves its first event (a Create against the emulators, no injected latency), compared with a
// bare Node.js start (`node -e ''`). Runs are interleaved.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { runNode, runNodeForResult } from './child-process';
import { EmulatedAws, HANDLER_BUNDLE, createEvent } from './handler-environment';
import { median } from './stats';

const COLD_START_CHILD = path.join(__dirname, 'children', 'handler-cold-start.js');

export interface BundleSize {
  readonly path: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

export interface ColdStartResults {
  readonly runs: number;
  readonly bareNodeMs: number[];
  readonly handlerProcessMs: number[];
  readonly medianBareNodeMs: number;
  readonly medianHandlerProcessMs: number;
  /** median(handler process) − median(bare node). */
  readonly overBareNodeMs: number;
  /** Inside the handler process: loading the bundle. */
  readonly medianRequireBundleMs: number;
  /** Inside the handler process: serving the first event. */
  readonly medianFirstEventMs: number;
  /** Of the first event: require() calls of AWS SDK modules. */
  readonly medianSdkRequireMs: number;
  /** Of the first event: the first send() of each SDK client (set-up, credential and endpoint resolution, the request). */
  readonly medianSdkFirstSendMs: number;
}

export function measureBundleSize(): BundleSize {
  if (!fs.existsSync(HANDLER_BUNDLE)) {
    throw new Error(`${HANDLER_BUNDLE} does not exist: run \`npx projen bundle\` (the first step of \`npm run bench\`).`);
  }
  const content = fs.readFileSync(HANDLER_BUNDLE);
  return { path: path.relative(path.resolve(__dirname, '..'), HANDLER_BUNDLE), bytes: content.length, gzipBytes: gzipSync(content).length };
}

interface HandlerChildResult {
  readonly requireBundleMs: number;
  readonly firstEventMs: number;
  readonly sdkRequireMs: number;
  readonly sdkFirstSendMs: number;
}

export async function measureColdStart(runs: number, log: (line: string) => void): Promise<ColdStartResults> {
  const aws = await EmulatedAws.start({ latencyMs: 0 });
  try {
    const env = aws.childEnvironment();
    const bare: number[] = [];
    const handlerWall: number[] = [];
    const inside: HandlerChildResult[] = [];
    // Round 0 warms the file cache and is not recorded; odd rounds start with the handler.
    for (let round = 0; round <= runs; round++) {
      const event = createEvent(aws.oauth2Properties(`cold-${round}`), `ColdStart${round}`);
      const bareStart = async () => {
        const run = await runNode(['-e', ''], { env });
        if (round > 0) bare.push(run.wallMs);
      };
      const handlerStart = async () => {
        const run = await runNodeForResult<HandlerChildResult>([COLD_START_CHILD, HANDLER_BUNDLE, JSON.stringify(event)], { env, timeoutMs: 60_000 });
        if (round > 0) {
          handlerWall.push(run.wallMs);
          inside.push(run.result);
        }
      };
      for (const step of round % 2 === 0 ? [bareStart, handlerStart] : [handlerStart, bareStart]) await step();
    }
    log(`cold start: ${runs} interleaved rounds done`);
    const medianBareNodeMs = median(bare);
    const medianHandlerProcessMs = median(handlerWall);
    return {
      runs,
      bareNodeMs: bare,
      handlerProcessMs: handlerWall,
      medianBareNodeMs,
      medianHandlerProcessMs,
      overBareNodeMs: medianHandlerProcessMs - medianBareNodeMs,
      medianRequireBundleMs: median(inside.map((r) => r.requireBundleMs)),
      medianFirstEventMs: median(inside.map((r) => r.firstEventMs)),
      medianSdkRequireMs: median(inside.map((r) => r.sdkRequireMs)),
      medianSdkFirstSendMs: median(inside.map((r) => r.sdkFirstSendMs)),
    };
  } finally {
    await aws.close();
  }
}
