// onEvent entry of Custom::VenafiTppOAuthApplication (bundled by projen into assets/).
import { TppOAuthApplicationEvent, TppOAuthApplicationResponse, onEvent } from './events';
import { SecretTokenStore } from './token-secret';
import { HandlerContext, deadlineFrom } from '../../internal/cfn-events';
import { SecretReader } from '../../internal/secrets';
import { TppClient } from '../../internal/tpp-client';
import { TppOAuthApplicationProperties } from '../properties';

export async function handler(event: TppOAuthApplicationEvent, context?: HandlerContext): Promise<TppOAuthApplicationResponse> {
  const deadline = deadlineFrom(context);
  const log = (line: string) => console.log(line);
  const secrets = new SecretReader();
  const tppFor = (props: TppOAuthApplicationProperties) => new TppClient({
    serverUrl: props.ServerUrl,
    trustedCaCertificate: props.TrustedCaCertificate,
    tokens: new SecretTokenStore(secrets, props.TokenSecretArn),
    deadline: () => deadline,
    log,
  });
  try {
    return await onEvent(event, { tppFor, log });
  } catch (error) {
    // The message becomes the CloudFormation failure reason; it never carries a token.
    const message = error instanceof Error ? error.message : String(error);
    console.log(`FAILED ${event.RequestType} ${event.LogicalResourceId}: ${message}`);
    throw new Error(message);
  }
}
