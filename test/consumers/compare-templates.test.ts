// The consumers' template comparison must catch what a binding or an out-of-date consumer changes.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compareAssemblies, differences } from './compare-templates';

const TEMPLATE = {
  Resources: {
    BundleKey: { Type: 'AWS::KMS::Key', Properties: { Description: 'Encrypts the AppFabric app bundle', EnableKeyRotation: true } },
    Handler: { Type: 'AWS::Lambda::Function', Properties: { Code: { S3Key: `${'a'.repeat(64)}.zip` } } },
  },
  Outputs: { SlackAuthUrl: { Value: 'https://example.com' } },
};

let dirs: string[] = [];
afterEach(() => {
  dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
  dirs = [];
});

/** A cloud assembly with one stack, as `cdk synth` writes it. */
function assembly(template: object, assetHashes = ['a'.repeat(64)]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compare-templates-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
    artifacts: { AppFabricExample: { type: 'aws:cloudformation:stack', properties: { templateFile: 'AppFabricExample.template.json' } } },
  }));
  fs.writeFileSync(path.join(dir, 'AppFabricExample.template.json'), JSON.stringify(template));
  fs.writeFileSync(path.join(dir, 'AppFabricExample.assets.json'), JSON.stringify({
    files: Object.fromEntries(assetHashes.map((hash) => [hash, {}])),
  }));
  const stacks = new Map([['AppFabricExample', 'AppFabricExample.template.json']]);
  return { dir, stacks };
}

test('the same template and assets compare equal', () => {
  expect(compareAssemblies(assembly(TEMPLATE), assembly(structuredClone(TEMPLATE)))).toEqual([]);
});

test('a changed property, a missing output and an extra resource are each named by path', () => {
  const consumer: any = structuredClone(TEMPLATE);
  consumer.Resources.BundleKey.Properties.Description = 'changed';
  delete consumer.Outputs.SlackAuthUrl;
  consumer.Resources.Extra = { Type: 'AWS::SNS::Topic' };

  expect(differences(TEMPLATE, consumer)).toEqual([
    'Outputs.SlackAuthUrl: missing from the consumer\'s template (TypeScript {"Value":"https://example.com"})',
    'Resources.BundleKey.Properties.Description: TypeScript "Encrypts the AppFabric app bundle", consumer "changed"',
    'Resources.Extra: only in the consumer\'s template {"Type":"AWS::SNS::Topic"}',
  ]);
});

test('a different asset hash is a difference even where the template does not show it', () => {
  const found = compareAssemblies(assembly(TEMPLATE), assembly(TEMPLATE, ['b'.repeat(64)]));
  expect(found).toHaveLength(1);
  expect(found[0]).toMatch(/^stack AppFabricExample: assets: /);
});

test('a stack only one side declares is a difference', () => {
  const consumer = assembly(TEMPLATE);
  consumer.stacks.set('Other', 'AppFabricExample.template.json');
  expect(compareAssemblies(assembly(TEMPLATE), consumer)).toEqual(['stack Other: only in the consumer\'s app']);
});
