// `npm run example`, after the synth: rehearse the example app's deploy against the emulators.
import * as path from 'node:path';
import { rehearseExample } from './scenario';

async function main(): Promise<number> {
  const assemblyDir = path.resolve(process.argv[2] ?? path.join(__dirname, '..', '..', 'examples', 'cdk.out'));
  const result = await rehearseExample({ assemblyDir, print: (line) => process.stdout.write(`${line}\n`) });
  return result.failed || result.leftBehind > 0 ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (error) => {
  console.error(`rehearsal failed: ${error instanceof Error ? error.stack : error}`);
  process.exitCode = 1;
});
