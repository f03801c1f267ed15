// The TPP tokens in Secrets Manager: `{"access_token", "refresh_token"?, "client_id"?}`. A refreshed
// pair replaces the old one in a new version of the same secret; other JSON fields stay.
import { RefreshedTokens, StoredTokens, TokenStore } from './tpp-client';
import { DeployError } from '../../internal/errors';
import { SecretReader } from '../../internal/secrets';
import { TOKEN_SECRET_FIELDS } from '../properties';

const PURPOSE = 'the TPP access token';
const SHAPE = [TOKEN_SECRET_FIELDS.accessToken, TOKEN_SECRET_FIELDS.refreshToken, TOKEN_SECRET_FIELDS.clientId];
/** The client id names the API integration in every TPP request and answer: not a secret. */
const PUBLIC_FIELDS = [TOKEN_SECRET_FIELDS.clientId];

export class SecretTokenStore implements TokenStore {
  public readonly description: string;
  /** The JSON last read: a refreshed pair is written over it, keeping its other fields. */
  private lastRead?: Record<string, unknown>;

  constructor(private readonly secrets: SecretReader, private readonly secretArn: string) {
    this.description = `secret ${secretArn}`;
  }

  public async load(): Promise<StoredTokens> {
    const json = await this.secrets.readObject(this.secretArn, SHAPE, PURPOSE, PUBLIC_FIELDS);
    this.lastRead = json;
    return tokensFromSecret(this.secretArn, json);
  }

  public async save(tokens: RefreshedTokens): Promise<void> {
    // No read between refresh and write: the new pair is the only working one, so nothing that
    // can fail comes before storing it.
    await this.secrets.putSecretString(this.secretArn, JSON.stringify(secretWithRefreshedTokens(this.lastRead ?? {}, tokens)), PUBLIC_FIELDS);
  }
}

/** The tokens of a secret's JSON; a missing access_token fails with the fields present, never values. */
export function tokensFromSecret(secretArn: string, json: Record<string, unknown>): StoredTokens {
  const accessToken = json[TOKEN_SECRET_FIELDS.accessToken];
  if (typeof accessToken !== 'string' || accessToken === '') {
    const present = Object.keys(json);
    throw new DeployError(
      `Secret ${secretArn} has no non-empty string field '${TOKEN_SECRET_FIELDS.accessToken}' (${PURPOSE}). ` +
      `Fields present: ${present.length ? present.map((name) => `'${name}'`).join(', ') : 'none'}. ` +
      'Store {"access_token": "...", "refresh_token": "...", "client_id": "..."} from POST /vedauth/authorize/oauth with the admin scope.',
    );
  }
  return {
    accessToken,
    refreshToken: optionalString(json[TOKEN_SECRET_FIELDS.refreshToken]),
    clientId: optionalString(json[TOKEN_SECRET_FIELDS.clientId]),
  };
}

/**
 * The secret's JSON with the new pair. Expiry fields are updated only when the secret already
 * keeps them (as the output of /vedauth/authorize/oauth stored whole would), so they never go stale.
 */
export function secretWithRefreshedTokens(json: Record<string, unknown>, tokens: RefreshedTokens): Record<string, unknown> {
  const updated: Record<string, unknown> = {
    ...json,
    [TOKEN_SECRET_FIELDS.accessToken]: tokens.accessToken,
    [TOKEN_SECRET_FIELDS.refreshToken]: tokens.refreshToken,
  };
  if ('expires' in json && tokens.expires !== undefined) {
    updated.expires = tokens.expires;
  }
  if ('refresh_until' in json && tokens.refreshUntil !== undefined) {
    updated.refresh_until = tokens.refreshUntil;
  }
  return updated;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
