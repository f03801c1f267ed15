// A canary API key through a hostile AppFabric: CreateAppAuthorization answers 400 with a message
// that quotes the request (and so the key) in each form a service might use. The key was
// remembered when it was read from the secret, so the scrubber removes every form of it.
import { forgetSecretsForTesting, scrub } from '../../src/internal/scrub';
import { EchoForm } from '../emulators/http-emulator';
import { HandlerHarness, cfnEvent, failureReason, handler, lambdaContext } from '../support/handler-harness';

const CANARY = 'CANARY-apikey-5e1d8b7c/+=Zq';

/** Any trace of the canary: verbatim, a 12-character run, JSON- or URL-encoded, or inside a base64 run. */
function leaks(text: string): boolean {
  const runs = Array.from({ length: CANARY.length - 11 }, (_, i) => CANARY.slice(i, i + 12));
  const decoded = (text.match(/[A-Za-z0-9+/]{16,}={0,2}/g) ?? []).map((b64) => Buffer.from(b64, 'base64').toString('latin1')).join('\n');
  return runs.some((run) => text.includes(run) || text.includes(encodeURIComponent(run)) || decoded.includes(run));
}

let harness: HandlerHarness;
beforeEach(async () => {
  forgetSecretsForTesting();
  harness = await HandlerHarness.start();
});
afterEach(async () => { await harness.close(); });

test('the leak check sees every echo form', () => {
  expect(leaks(`x ${CANARY.slice(0, 16)} y`)).toBe(true);
  expect(leaks(encodeURIComponent(CANARY))).toBe(true);
  expect(leaks(Buffer.from(`{"apiKey":"${CANARY}"}`).toString('base64'))).toBe(true);
  expect(leaks('CANARY-apik and 5e1d8b7c')).toBe(false);
});

test.each<EchoForm>(['verbatim', 'prefix', 'json', 'url', 'base64'])('a hostile 400 on Create echoing the request %s: no canary in the reason or logs', async (echo) => {
  harness.appfabric.injectFault({ operation: 'CreateAppAuthorization', kind: 'hostile', status: 400, echo });
  const reason = await failureReason(handler(cfnEvent('Create', harness.apiKeyProps(CANARY)), lambdaContext()));
  // The echo reached the handler: the hostile path is exercised.
  expect(harness.appfabric.requests[0]).toMatchObject({ operation: 'CreateAppAuthorization', status: 400 });
  // The AppFabric client scrubs service messages as it reads them, so the reason and logs are clean
  // as they stand, and through scrub() (which the custom resource runtime applies to every reason
  // and log line) as well.
  expect([reason, ...harness.logs].filter(leaks)).toEqual([]);
  expect([scrub(reason), ...harness.logs.map(scrub)].filter(leaks)).toEqual([]);
  expect(reason).toContain('AppFabric CreateAppAuthorization failed: ValidationException (HTTP 400): ');
});
