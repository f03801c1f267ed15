import { forgetSecretsForTesting, rememberSecret, rememberSecretString, scrub, scrubDeep } from '../../src/internal/scrub';

const KEY = 'canary-K3y_Zq8+/v9WpLmN0aB';

beforeEach(() => {
  forgetSecretsForTesting();
  rememberSecret(KEY);
});

describe('scrub', () => {
  test.each([
    ['verbatim', (v: string) => `Value '${v}' at 'credential.apiKeyCredential.apiKey' failed to satisfy constraint`],
    ['JSON-escaped', (v: string) => JSON.stringify({ echoed: JSON.stringify({ apiKey: v }) })],
    ['URL-encoded', (v: string) => `https://example.com/?key=${encodeURIComponent(v)}`],
    ['form-encoded', (v: string) => `key=${encodeURIComponent(v).replace(/%20/g, '+')}`],
    ['base64', (v: string) => `body: ${Buffer.from(`{"apiKey":"${v}"}`).toString('base64')}`],
    ['base64 at another alignment', (v: string) => Buffer.from(`x${v}`).toString('base64')],
    ['base64url', (v: string) => Buffer.from(`xy${v}`).toString('base64url')],
    ['a 16-character prefix', (v: string) => `token ${v.slice(0, 16)}... is invalid`],
    ['a 12-character middle part', (v: string) => `near ${v.slice(5, 17)} end`],
  ])('removes the value %s', (_name, echo) => {
    const message = echo(KEY);
    const scrubbed = scrub(message);
    expect(scrubbed).not.toContain(KEY.slice(0, 12));
    expect(scrubbed).not.toContain(KEY.slice(5, 17));
    expect(scrubbed).not.toContain(Buffer.from(KEY).toString('base64').slice(4, 16));
    expect(scrubbed).toContain('***');
  });

  // A request body carries a value with a quote or a backslash JSON-escaped; a service that quotes
  // the body URL-encoded, JSON-escaped again or base64-encoded differs from the value's own forms
  // right there, leaving runs of fewer than 12 characters between escapes to match on.
  test.each([
    ['URL-encoded', (body: string) => encodeURIComponent(body)],
    ['JSON-escaped twice', (body: string) => JSON.stringify(body)],
    ['base64', (body: string) => Buffer.from(body).toString('base64')],
  ])('removes a value with quotes and backslashes from a request body quoted %s', (_name, quote) => {
    const awkward = 'Xv9/Ka3"Rt7+Lm2=Qz5 Wc8\\Ny4"Hd1Bp6\\Js0';
    rememberSecret(awkward);
    const inBody = JSON.stringify(awkward).slice(1, -1);
    const scrubbed = scrub(`Bad request ${quote(JSON.stringify({ apiKey: awkward }))}`);
    for (const form of [inBody, encodeURIComponent(inBody), JSON.stringify(inBody).slice(1, -1)]) {
      for (let i = 0; i + 12 <= form.length; i++) {
        expect(scrubbed).not.toContain(form.slice(i, i + 12));
      }
    }
    expect(scrubbed).toContain('***');
  });

  test('keeps the rest of the message', () => {
    expect(scrub(`ValidationException: Value '${KEY}' is invalid`)).toBe("ValidationException: Value '***' is invalid");
  });

  test('leaves runs shorter than 12 characters alone', () => {
    expect(scrub(`prefix ${KEY.slice(0, 11)}`)).toBe(`prefix ${KEY.slice(0, 11)}`);
  });

  test('remembers each string field of a JSON secret but its public identifiers', () => {
    rememberSecretString(JSON.stringify({ clientId: 'public-client-id', clientSecret: 'oauth-client-secret-value', note: 'password1' }), ['clientId']);
    expect(scrub('id public-client-id secret oauth-client-secret-value note password1'))
      .toBe('id public-client-id secret *** note ***');
  });

  test('remembers a secret string that is not JSON whole', () => {
    rememberSecretString('plain-api-key-value');
    expect(scrub('key plain-api-key-value')).toBe('key ***');
  });

  test('ignores values too short to scrub safely', () => {
    rememberSecret('admin');
    expect(scrub('administrator')).toBe('administrator');
  });

  test('scrubs every string of Data', () => {
    expect(scrubDeep({ a: [`x ${KEY}`], b: 3, c: { d: KEY } })).toEqual({ a: ['x ***'], b: 3, c: { d: '***' } });
  });
});
