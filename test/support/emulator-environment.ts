// The one way a test points code that reads the AWS environment (handlers, clients, the CLI) at
// the local emulators.

export interface EmulatorEndpoints {
  /** AWS_ENDPOINT_URL_APPFABRIC. @default unset */
  readonly appfabric?: string;
  /** AWS_ENDPOINT_URL_SECRETS_MANAGER. @default unset */
  readonly secretsManager?: string;
  /** AWS_REGION. @default 'us-east-1' */
  readonly region?: string;
}

/**
 * Sets the Region, fake credentials and the given endpoints in this process's environment, and
 * removes what would let the machine's own AWS setup in (session token, profile, the generic
 * endpoint, instance metadata). Returns a function that puts the environment back as it was.
 */
export function useEmulatorEnvironment(endpoints: EmulatorEndpoints = {}): () => void {
  const saved = { ...process.env };
  for (const name of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_APPFABRIC', 'AWS_ENDPOINT_URL_SECRETS_MANAGER']) {
    delete process.env[name];
  }
  Object.assign(process.env, {
    AWS_REGION: endpoints.region ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'fake',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...(endpoints.appfabric ? { AWS_ENDPOINT_URL_APPFABRIC: endpoints.appfabric } : {}),
    ...(endpoints.secretsManager ? { AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager } : {}),
  });
  return () => { process.env = saved; };
}
