// Integration snapshot of the example app: `npx projen integ:example:snapshot` records it,
// `npx projen integ:example:assert` (part of `npm test`) fails when the synthesized stacks differ.
// (Nothing is deployed: there is no AWS account in CI.)
import { App } from 'aws-cdk-lib';
import { buildExampleApp } from '../examples/example-app';

// No stack traces in the metadata or the validation report: they hold this checkout's paths.
// No performance report: aws-cdk-lib writes performance-counters.json when a stack takes 10 s or
// more to synthesize, so a busy machine would otherwise change the snapshot.
const app = new App({
  context: { 'aws:cdk:disable-creation-stack-traces': true, 'aws:cdk:disable-stack-trace': true },
  performanceReporting: false,
});
buildExampleApp(app);
app.synth();
