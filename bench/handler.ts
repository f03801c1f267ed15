// The handler's size and cold start: the bundle of the function CloudFormation invokes, and a
// fresh Node.js process that loads it and serves its first event (an oauth2 Create against the
// emulators, no injected latency), compared with a bare Node.js start (`node -e ''`). Rounds are
// interleaved; round 0 warms the file cache and is not recorded.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { runNode, runNodeForResult } from './child-process';
import { EmulatedAws, createEvent } from './handler-environment';
import { median } from './stats';
import { ResponseEndpoint } from '../test/support/cloudformation';

const COLD_START_CHILD = path.join(__dirname, 'children', 'handler-cold-start.js');

export interface BundleSize {
  readonly bytes: number;
  readonly gzipBytes: number;
}

export interface ColdStartResults {
  readonly runs: number;
  readonly medianBareNodeMs: number;
  readonly medianHandlerProcessMs: number;
  /** median(handler process) − median(bare node). */
  readonly overBareNodeMs: number;
  /** Inside the handler process: loading the bundle. */
  readonly medianRequireBundleMs: number;
  /** Inside the handler process: serving the first event. */
  readonly medianFirstEventMs: number;
}

export function measureBundleSize(bundlePath: string): BundleSize {
  const content = fs.readFileSync(bundlePath);
  return { bytes: content.length, gzipBytes: gzipSync(content).length };
}

export async function measureColdStart(bundlePath: string, runs: number, log: (line: string) => void): Promise<ColdStartResults> {
  const aws = await EmulatedAws.start({ latencyMs: 0 });
  // CloudFormation's side, in this process: the child PUTs its answer here.
  const cloudformation = await ResponseEndpoint.start();
  try {
    const env = aws.childEnvironment();
    const bare: number[] = [];
    const handlerWall: number[] = [];
    const inside: Array<{ requireBundleMs: number; firstEventMs: number }> = [];
    for (let round = 0; round <= runs; round++) {
      const created = createEvent(aws.oauth2Properties(`cold-${round}`), `ColdStart${round}`);
      const event = { ...created, ResponseURL: cloudformation.urlFor(created.RequestId) };
      const bareStart = async () => {
        const run = await runNode(['-e', ''], { env });
        if (round > 0) bare.push(run.wallMs);
      };
      const handlerStart = async () => {
        const run = await runNodeForResult<{ requireBundleMs: number; firstEventMs: number }>(
          [COLD_START_CHILD, bundlePath, JSON.stringify(event)], { env, timeoutMs: 60_000 });
        const answer = cloudformation.answersFor(event.RequestId)[0]?.body;
        if (answer?.Status !== 'SUCCESS') throw new Error(`the handler answered ${JSON.stringify(answer)}`);
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
      medianBareNodeMs,
      medianHandlerProcessMs,
      overBareNodeMs: medianHandlerProcessMs - medianBareNodeMs,
      medianRequireBundleMs: median(inside.map((r) => r.requireBundleMs)),
      medianFirstEventMs: median(inside.map((r) => r.firstEventMs)),
    };
  } finally {
    await Promise.all([aws.close(), cloudformation.close()]);
  }
}
