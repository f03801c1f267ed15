// Runs one Node.js child process (asynchronously, so emulators in this process keep answering),
// measures its wall time from spawn to exit and picks up the JSON result it prints.
import { spawn } from 'node:child_process';

/** Prefix of the one stdout line through which a child script reports its measurements. */
export const RESULT_MARKER = '@@bench-result ';

export interface ChildRun<R> {
  /** Spawn to exit, measured by this process. */
  readonly wallMs: number;
  /** What the child reported, if it printed a result line. */
  readonly result?: R;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ChildOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** The child is killed (and the run fails) after this long. @default 120 s */
  readonly timeoutMs?: number;
}

/** Runs `node <args...>` with the Node.js binary running this script; fails unless it exits 0. */
export function runNode<R = unknown>(args: readonly string[], options: ChildOptions = {}): Promise<ChildRun<R>> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const startedAt = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
      if (code !== 0) {
        const why = signal ? `was killed (${signal}${signal === 'SIGKILL' ? `, over ${timeoutMs} ms` : ''})` : `exited with ${code}`;
        reject(new Error(`node ${args.join(' ')} ${why}\n${stderr.slice(-4000)}${stdout.slice(-2000)}`));
        return;
      }
      resolve({ wallMs, result: parseResult<R>(stdout), stdout, stderr });
    });
  });
}

function parseResult<R>(stdout: string): R | undefined {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(RESULT_MARKER));
  return line === undefined ? undefined : JSON.parse(line.slice(RESULT_MARKER.length)) as R;
}

/** Like runNode, but the child must have reported a result. */
export async function runNodeForResult<R>(args: readonly string[], options: ChildOptions = {}): Promise<ChildRun<R> & { result: R }> {
  const run = await runNode<R>(args, options);
  if (run.result === undefined) {
    throw new Error(`node ${args.join(' ')} printed no '${RESULT_MARKER.trim()}' line\n${run.stderr.slice(-4000)}`);
  }
  return run as ChildRun<R> & { result: R };
}
