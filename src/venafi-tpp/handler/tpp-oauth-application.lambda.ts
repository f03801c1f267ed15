// Entry of Custom::VenafiTppOAuthApplication (bundled by projen into assets/).
import { TppOAuthApplicationEvent, onEvent } from './events';
import { SecretTokenStore } from './token-secret';
import { TppClient } from './tpp-client';
import { customResourceHandler, log } from '../../internal/custom-resource';
import { SecretReader } from '../../internal/secrets';
import { TppOAuthApplicationProperties } from '../properties';

export const handler = customResourceHandler((event: TppOAuthApplicationEvent, { deadline, cleanupDeadline }) => {
  const secrets = new SecretReader({ deadline: () => deadline, log });
  const clientFor = (until: number) => (props: TppOAuthApplicationProperties) => new TppClient({
    serverUrl: props.ServerUrl,
    trustedCaCertificate: props.TrustedCaCertificate,
    tokens: new SecretTokenStore(secrets, props.TokenSecretArn),
    deadline: () => until,
    log,
  });
  // Removing what a failing create made may run into part of the report margin.
  return onEvent(event, { tppFor: clientFor(deadline), cleanupTppFor: clientFor(cleanupDeadline), log });
});
