// Entry of the example CDK app (examples/cdk.json).
import { App } from 'aws-cdk-lib';
import { buildExampleApp } from './example-app';

const app = new App();
buildExampleApp(app);
app.synth();
