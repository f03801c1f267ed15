// Hostile mode: errors whose message echoes the request, as many services' validation errors do.
// Later canary tests rely on these echoes happening; these tests prove they do, in every form.
import { AppFabricEmulator } from './appfabric-emulator';
import { EchoForm } from './http-emulator';
import { TppEmulator } from './tpp-emulator';
import { HttpResponse, send } from '../../src/internal/http';
import { makeTestPki } from '../support/tpp-harness';

/** A canary with characters that JSON, URL and base64 encodings each change. */
const CANARY = 'CANARY-7f3a9c2e/+=x"q';

/** The canary as the JSON request body carries it. */
const IN_BODY = JSON.stringify(CANARY).slice(1, -1);

/** Whether `text` quotes the canary (as the request carried it) in the given form. */
function quotes(form: EchoForm, text: string): boolean {
  switch (form) {
    case 'verbatim': return text.includes(IN_BODY);
    case 'prefix': return text.includes(`'${CANARY.slice(0, 16)}...'`) && !text.includes(CANARY.slice(0, 17));
    case 'json': return text.includes(JSON.stringify(IN_BODY).slice(1, -1));
    case 'url': return text.includes(encodeURIComponent(IN_BODY));
    case 'base64': {
      const encoded = /[A-Za-z0-9+/]{20,}={0,2}/.exec(text)?.[0] ?? '';
      return !text.includes(IN_BODY) && Buffer.from(encoded, 'base64').toString('utf8').includes(IN_BODY);
    }
  }
}

const FORMS: EchoForm[] = ['verbatim', 'prefix', 'json', 'url', 'base64'];

describe('AppFabric emulator', () => {
  let emulator: AppFabricEmulator;
  let bundleArn: string;
  beforeAll(async () => {
    emulator = await AppFabricEmulator.start({ requireSignature: false });
    bundleArn = emulator.createAppBundle();
  });
  afterAll(async () => { await emulator.close(); });

  const create = () => fetch(`${emulator.endpoint}/appbundles/${encodeURIComponent(bundleArn)}/appauthorizations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ app: 'ASANA', authType: 'apiKey', tenant: { tenantIdentifier: 't', tenantDisplayName: 'T' }, credential: { apiKeyCredential: { apiKey: CANARY } } }),
  });

  test.each(FORMS.flatMap((form) => [[400, form], [500, form]] as Array<[400 | 500, EchoForm]>))('%d whose message echoes the request %s', async (status, echo) => {
    emulator.injectFault({ operation: 'CreateAppAuthorization', kind: 'hostile', status, echo });
    const response = await create();
    const body = await response.json() as { message: string };
    expect(response.status).toBe(status);
    expect(response.headers.get('x-amzn-errortype')).toBe(status === 400 ? 'ValidationException' : 'InternalServerException');
    expect(quotes(echo, body.message)).toBe(true);
    expect(emulator.authorizations()).toHaveLength(0);
  });

  test('only the chosen operation and number of requests are hostile', async () => {
    emulator.injectFault({ operation: 'GetAppAuthorization', kind: 'hostile' });
    expect((await create()).status).toBe(201);
    expect(emulator.authorizations()).toHaveLength(1);
  });
});

describe('TPP emulator', () => {
  test.each(FORMS)('error_description echoes the refresh request %s', async (echo) => {
    const pki = await makeTestPki();
    const tpp = await TppEmulator.start({ tls: pki.serverTls });
    try {
      tpp.injectFault({ operation: 'RefreshToken', kind: 'hostile', echo });
      const response: HttpResponse = await send({
        method: 'POST',
        url: new URL('/vedauth/authorize/token', tpp.endpoint),
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: 'cdk-appfabric', refresh_token: CANARY }),
        timeoutMs: 5_000,
        ca: pki.caCertificate,
      });
      const body = JSON.parse(response.body);
      expect(tpp.requests[0].operation).toBe('RefreshToken');
      expect(response.status).toBe(400);
      expect(body.error).toBe('invalid_request');
      expect(quotes(echo, body.error_description)).toBe(true);
    } finally {
      await tpp.close();
    }
  });
});
