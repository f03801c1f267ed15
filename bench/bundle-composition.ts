// Which source modules the handler bundle's bytes come from: the projen bundle task's own esbuild
// command (read from .projen/tasks.json), re-run into a temporary file with --metafile.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './compiled-library';

const BUNDLE_TASK = 'bundle:app-authorization/handler/app-authorization.lambda';

export interface BundleInput {
  /** Source path, relative to the repository (node_modules paths shortened to the package). */
  readonly input: string;
  readonly bytesInOutput: number;
}

export interface BundleComposition {
  readonly outputBytes: number;
  readonly inputs: BundleInput[];
}

export function measureBundleComposition(): BundleComposition {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-appfabric-bench-bundle-'));
  try {
    const outfile = path.join(dir, 'index.js');
    const metafile = path.join(dir, 'meta.json');
    const args = bundleTaskArgs().map((arg) => (arg.startsWith('--outfile=') ? `--outfile=${outfile}` : arg));
    const esbuild = spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'esbuild'), [...args, `--metafile=${metafile}`, '--log-level=error'],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
    if (esbuild.status !== 0) throw new Error(`esbuild (bundle composition) failed: ${esbuild.stderr}`);
    const meta = JSON.parse(fs.readFileSync(metafile, 'utf8')) as {
      outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
    };
    const output = Object.values(meta.outputs).find((o) => Object.keys(o.inputs).length > 0)!;
    const bytesByInput = new Map<string, number>();
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = shortenInput(input);
      bytesByInput.set(name, (bytesByInput.get(name) ?? 0) + bytesInOutput);
    }
    const inputs = [...bytesByInput].map(([input, bytesInOutput]) => ({ input, bytesInOutput })).sort((a, b) => b.bytesInOutput - a.bytesInOutput);
    return { outputBytes: output.bytes, inputs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The esbuild arguments of the projen task that builds the shipped handler bundle. */
function bundleTaskArgs(): string[] {
  const tasks = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, '.projen', 'tasks.json'), 'utf8')) as {
    tasks: Record<string, { steps?: Array<{ execArgs?: string[] }> }>;
  };
  const step = tasks.tasks[BUNDLE_TASK]?.steps?.find((s) => s.execArgs?.[0] === 'esbuild');
  if (!step?.execArgs) throw new Error(`.projen/tasks.json has no esbuild step in task ${BUNDLE_TASK}`);
  return step.execArgs.slice(1);
}

function shortenInput(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match ? `${match[1]} (npm)` : input;
}
