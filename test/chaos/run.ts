// The chaos suite's command line:
//   ts-node --transpile-only --project test/tsconfig.json test/chaos/run.ts --seeds 1000 [--from N] [--workers W] [--quick]
// Runs seeds from..from+seeds-1, spread over worker processes (each seed starts its own emulators
// on 127.0.0.1, so seeds are independent), prints progress, the time and every failure with its
// seed, and exits non-zero when a seed fails. A seed that runs past SEED_TIMEOUT_MS fails and its
// worker is replaced.
import { ChildProcess, fork } from 'node:child_process';
import * as path from 'node:path';
import { QUICK_PROFILE, SeedResult, formatFailure, runSeed } from './chaos';

const SEED_TIMEOUT_MS = 180_000;
const PROGRESS_EVERY = 50;

interface Arguments {
  readonly seeds: number;
  readonly from: number;
  readonly workers: number;
  readonly quick: boolean;
}

function parseArguments(argv: string[]): Arguments {
  // The last occurrence wins, so arguments appended to a task's own (`npm run chaos -- --seeds 50`) override them.
  const value = (name: string, fallback: number): number => {
    const index = argv.lastIndexOf(name);
    if (index < 0) return fallback;
    const parsed = Number(argv[index + 1]);
    if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} needs a whole number, got '${argv[index + 1]}'`);
    return parsed;
  };
  return { seeds: value('--seeds', 100), from: value('--from', 1), workers: Math.max(1, value('--workers', 8)), quick: argv.includes('--quick') };
}

// ---- worker: runs the seeds the parent sends, one at a time ----

type ToWorker = { seed: number } | { done: true };
type FromWorker = { ready: true } | { result: SeedResult };

function runWorker(quick: boolean): void {
  const send = (message: FromWorker) => process.send!(message);
  process.on('message', (message: ToWorker) => {
    if ('done' in message) {
      process.disconnect();
      return;
    }
    runSeed(message.seed, { profile: quick ? QUICK_PROFILE : undefined }).then(
      (result) => send({ result }),
      (error) => send({ result: crashed(message.seed, error) }),
    );
  });
  send({ ready: true });
}

function crashed(seed: number, error: unknown): SeedResult {
  return { seed, ok: false, violations: [`seed ${seed}: ${error instanceof Error ? error.stack : String(error)}`], transcript: [], events: 0, elapsedMs: 0, counts: {} };
}

// ---- parent: hands out seeds, reports ----

async function runParent(args: Arguments): Promise<number> {
  const seeds = Array.from({ length: args.seeds }, (_, i) => args.from + i);
  const last = args.from + args.seeds - 1;
  const workers = Math.min(args.workers, seeds.length);
  console.log(`chaos: seeds ${args.from}..${last} on ${workers} worker(s)${args.quick ? ' (quick profile)' : ''}`);
  const started = Date.now();
  const results: SeedResult[] = [];
  const report = (result: SeedResult) => {
    results.push(result);
    if (!result.ok) console.log(`\n${formatFailure(result)}\n`);
    if (results.length % PROGRESS_EVERY === 0 || results.length === seeds.length) {
      const failed = results.filter((r) => !r.ok).length;
      console.log(`[${String(results.length).padStart(String(seeds.length).length)}/${seeds.length}] ${failed} failed, ` +
        `${results.reduce((sum, r) => sum + r.events, 0)} deliveries, ${formatDuration(Date.now() - started)}`);
    }
  };
  const queue = [...seeds];
  await Promise.all(Array.from({ length: workers }, () => drainWithWorker(queue, args.quick, report)));

  const failed = results.filter((r) => !r.ok).sort((a, b) => a.seed - b.seed);
  const slowest = [...results].sort((a, b) => b.elapsedMs - a.elapsedMs)[0];
  console.log(`\nchaos: ${results.length} seeds, ${results.length - failed.length} passed, ${failed.length} failed in ${formatDuration(Date.now() - started)}` +
    (slowest ? ` (slowest: seed ${slowest.seed}, ${formatDuration(slowest.elapsedMs)})` : ''));
  console.log(`exercised: ${describeCounts(results)}`);
  if (failed.length > 0) console.log(`failed seeds: ${failed.map((r) => r.seed).join(', ')}`);
  return failed.length > 0 ? 1 : 0;
}

/** One worker process at a time takes seeds from the queue until it is empty; a stuck seed costs its worker. */
async function drainWithWorker(queue: number[], quick: boolean, report: (result: SeedResult) => void): Promise<void> {
  while (queue.length > 0) {
    const worker = startWorker(quick);
    const finished = await feed(worker, queue, report);
    if (finished) return;
  }
}

function startWorker(quick: boolean): ChildProcess {
  return fork(__filename, ['--worker', ...(quick ? ['--quick'] : [])], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'tsconfig.json') },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Resolves true when the queue is drained, false when the worker died or a seed timed out (the worker is then gone). */
function feed(worker: ChildProcess, queue: number[], report: (result: SeedResult) => void): Promise<boolean> {
  return new Promise((resolve) => {
    let current: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = (drained: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(drained);
    };
    const next = () => {
      current = queue.shift();
      if (current === undefined) {
        worker.send({ done: true } satisfies ToWorker);
        settle(true);
        return;
      }
      const seed = current;
      timer = setTimeout(() => {
        report(crashed(seed, new Error(`the seed ran longer than ${SEED_TIMEOUT_MS / 1000} s; its worker (pid ${worker.pid}) was stopped`)));
        current = undefined;
        worker.kill('SIGKILL');
      }, SEED_TIMEOUT_MS);
      worker.send({ seed } satisfies ToWorker);
    };
    worker.on('message', (message: FromWorker) => {
      if ('result' in message) {
        clearTimeout(timer);
        report(message.result);
        current = undefined;
      }
      next();
    });
    worker.on('exit', (code) => {
      if (current !== undefined) report(crashed(current, new Error(`its worker exited with code ${code}`)));
      settle(false);
    });
  });
}

function describeCounts(results: SeedResult[]): string {
  const totals = new Map<string, number>();
  for (const result of results) {
    for (const [name, count] of Object.entries(result.counts)) totals.set(name, (totals.get(name) ?? 0) + count);
  }
  return [...totals].map(([name, count]) => `${count} ${name}`).join(', ');
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${(ms / 1000).toFixed(1)}s`;
}

if (process.argv.includes('--worker')) {
  runWorker(process.argv.includes('--quick'));
} else {
  runParent(parseArguments(process.argv.slice(2))).then((code) => { process.exitCode = code; }, (error) => {
    console.error(`chaos: ${error instanceof Error ? error.stack : error}`);
    process.exitCode = 2;
  });
}
