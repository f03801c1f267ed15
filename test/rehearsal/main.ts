// `npm run example`, after the synth: rehearse the example app's deploy against the emulators.
import * as path from 'node:path';
import { rehearseExample } from './scenario';

async function main(): Promise<number> {
  const assemblyDir = path.resolve(process.argv[2] ?? path.join(__dirname, '..', '..', 'examples', 'cdk.out'));
  console.log(`Rehearsing the deploy of ${assemblyDir} against local AppFabric and Secrets Manager emulators`);
  const result = await rehearseExample({ assemblyDir, print: (line) => process.stdout.write(`${line}\n`) });
  if (result.failed) {
    console.log(`\nHandler log:\n${result.handlerLogs.map((line) => `  | ${line}`).join('\n')}`);
    return 1;
  }
  if (result.leftBehind > 0) {
    console.log(`\nRehearsal failed: ${result.leftBehind} authorization(s) left in the emulator after the Delete pass.`);
    return 1;
  }
  console.log('\nRehearsal passed: created, updated in place and deleted (retained resources kept); no authorization left in the emulator.');
  return 0;
}

main().then((code) => { process.exitCode = code; }, (error) => {
  console.error(`rehearsal failed: ${error instanceof Error ? error.stack : error}`);
  process.exitCode = 1;
});
