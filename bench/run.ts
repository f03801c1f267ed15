// `npm run bench` (after `npx projen bundle`): synth against the L1, the handler's size and cold
// start, invocations and requests per CloudFormation event and a throttled batch, in one run;
// regenerates docs/BENCHMARKS.md. Network traffic stays on 127.0.0.1; every child process and
// wait is bounded.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, ensureCompiledLibrary } from './compiled-library';
import { measureEvents } from './events';
import { measureBundleSize, measureColdStart } from './handler';
import { serviceTokenFunction } from './handler-environment';
import { describeMachine } from './machine';
import { renderReport } from './report';
import { measureSynth } from './synth';
import { evaluateTargets } from './targets';
import { measureThrottledBatch } from './throttling';

const SYNTH_ROUNDS = 7;
const COLD_START_RUNS = 9;
const EVENT_RUNS = 5;
/** Latency the emulators add to every request in the per-event and throttling measurements. */
const EMULATOR_LATENCY_MS = 20;
const THROTTLE_EVENTS = 50;
const THROTTLE_PER_SECOND = 10;

const REPORT_FILE = path.join(REPO_ROOT, 'docs', 'BENCHMARKS.md');

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

async function main(): Promise<void> {
  const started = Date.now();
  const machine = describeMachine();
  const loadAverageAtStart = os.loadavg();
  const libraryDir = ensureCompiledLibrary(log);

  const synth = await measureSynth(libraryDir, SYNTH_ROUNDS, log);
  try {
    const { bundlePath } = serviceTokenFunction(synth.assemblyTemplate, synth.assemblyDir, 'Custom::AppFabricAppAuthorization');
    const bundle = measureBundleSize(bundlePath);
    const coldStart = await measureColdStart(bundlePath, COLD_START_RUNS, log);
    const events = await measureEvents(bundlePath, EMULATOR_LATENCY_MS, EVENT_RUNS, log);
    const throttle = await measureThrottledBatch(bundlePath, THROTTLE_EVENTS, THROTTLE_PER_SECOND, EMULATOR_LATENCY_MS, log);

    const targets = evaluateTargets({ synth, coldStart, events });
    const report = renderReport({
      machine, loadAverageAtStart, loadAverageAtEnd: os.loadavg(), runSeconds: (Date.now() - started) / 1000,
      targets, synth, bundle, coldStart, events, throttle,
    });
    fs.mkdirSync(path.dirname(REPORT_FILE), { recursive: true });
    fs.writeFileSync(REPORT_FILE, report);
    log(`wrote ${path.relative(REPO_ROOT, REPORT_FILE)} in ${((Date.now() - started) / 1000).toFixed(0)} s; load average ${os.loadavg().map((v) => v.toFixed(2)).join(' / ')}`);
    for (const t of targets) log(`${t.met ? 'met   ' : 'MISSED'} ${t.measure}: ${t.library} (L1 ${t.l1}; target ${t.target})`);
  } finally {
    synth.close();
  }
}

main().then(
  // Exit explicitly: nothing of the benchmark may keep running (e.g. an idle socket).
  () => process.exit(0),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exit(1);
  },
);
