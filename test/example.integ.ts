// Integration snapshot of the example app: `npx projen integ:example:snapshot` records it,
// `npx projen integ:example:assert` (part of `npm test`) fails when the synthesized stacks differ.
// (Nothing is deployed: there is no AWS account in CI.)
import { App } from 'aws-cdk-lib';
import { buildExampleApp } from '../examples/example-app';

const app = new App();
buildExampleApp(app);
app.synth();
