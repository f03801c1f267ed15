// The retry layer's report of unknown outcomes: an error thrown after any attempt that failed
// retryably is marked, whatever the last attempt's answer was.
import { RetryDeadlineError, someAttemptOutcomeUnknown, withOutcomeOf, withRetry } from '../../src/internal/retry';

class Transient extends Error {}
class Definite extends Error {}

const options = (deadline = Date.now() + 60_000) => ({
  deadline,
  retryable: (error: unknown) => (error instanceof Transient ? {} : undefined),
  baseDelayMs: 1,
  maxDelayMs: 1,
});

/** An operation that fails with each of `errors` in turn, then succeeds. */
function failing(...errors: Error[]) {
  let call = 0;
  return async () => {
    const error = errors[call++];
    if (error) throw error;
    return 'done';
  };
}

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

test('a definite failure on the first attempt is not marked', async () => {
  const error = await thrown(withRetry(failing(new Definite('403')), options()));
  expect(error).toBeInstanceOf(Definite);
  expect(someAttemptOutcomeUnknown(error)).toBe(false);
});

test('a definite failure after a lost response is marked: the lost attempt may have taken effect', async () => {
  const error = await thrown(withRetry(failing(new Transient('reset'), new Definite('403')), options()));
  expect(error).toBeInstanceOf(Definite);
  expect(someAttemptOutcomeUnknown(error)).toBe(true);
});

test('retries exhausted, and the deadline reached, are marked', async () => {
  const exhausted = await thrown(withRetry(failing(new Transient('500'), new Transient('500')), { ...options(), maxAttempts: 2 }));
  expect(someAttemptOutcomeUnknown(exhausted)).toBe(true);
  const late = await thrown(withRetry(failing(new Transient('429')), options(Date.now())));
  expect(late).toBeInstanceOf(RetryDeadlineError);
  expect(someAttemptOutcomeUnknown(late)).toBe(true);
});

test('success after unknown attempts returns the value', async () => {
  await expect(withRetry(failing(new Transient('reset')), options())).resolves.toBe('done');
});

test('an error made from a marked one keeps the mark; one made from an unmarked one does not get it', async () => {
  const marked = await thrown(withRetry(failing(new Transient('reset'), new Definite('400')), options()));
  expect(someAttemptOutcomeUnknown(withOutcomeOf(new Error('clearer message'), marked))).toBe(true);
  expect(someAttemptOutcomeUnknown(withOutcomeOf(new Error('clearer message'), new Definite('400')))).toBe(false);
  expect(someAttemptOutcomeUnknown('a string')).toBe(false);
});
