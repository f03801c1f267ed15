// Entry of Custom::VenafiTppOAuthApplication (bundled by projen into assets/).
import { TppOAuthApplicationEvent, onEvent } from './events';
import { SecretTokenStore } from './token-secret';
import { TppClient } from './tpp-client';
import { customResourceHandler, log } from '../../internal/custom-resource';
import { SecretReader } from '../../internal/secrets';

export const handler = customResourceHandler((event: TppOAuthApplicationEvent, { deadline }) => {
  const secrets = new SecretReader({ deadline: () => deadline, log });
  return onEvent(event, {
    tppFor: (props) => new TppClient({
      serverUrl: props.ServerUrl,
      trustedCaCertificate: props.TrustedCaCertificate,
      tokens: new SecretTokenStore(secrets, props.TokenSecretArn),
      deadline: () => deadline,
      log,
    }),
    log,
  });
});
