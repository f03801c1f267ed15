// Entry of Custom::AppFabricAppAuthorization (bundled by projen into assets/).
import { AppAuthorizationEvent, onEvent } from './events';
import { AppFabricClient } from '../../internal/appfabric-client';
import { customResourceHandler, log } from '../../internal/custom-resource';
import { SecretReader } from '../../internal/secrets';

export const handler = customResourceHandler((event: AppAuthorizationEvent, { deadline, cleanupDeadline }) => onEvent(event, {
  appfabric: new AppFabricClient({ deadline: () => deadline, log }),
  // Short attempts: one answer held past the Lambda's time must not take the whole cleanup with it.
  cleanup: new AppFabricClient({ deadline: () => cleanupDeadline, log, attemptTimeoutMs: 3_000 }),
  secrets: new SecretReader({ deadline: () => deadline, log }),
  cleanupSecrets: new SecretReader({ deadline: () => cleanupDeadline, log }),
  log,
  deadline,
  cleanupDeadline,
}));
