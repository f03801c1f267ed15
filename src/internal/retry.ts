// Retries for calls to AppFabric, Secrets Manager and TPP: throttling (honouring Retry-After),
// server errors and network errors, with capped exponential backoff and full jitter, and never
// past the deadline (the Lambda's remaining time less a margin to report the failure).

/** What a retryable failure says about when to try again. */
export interface RetryableFailure {
  /** The server's Retry-After, in milliseconds, when it sent one. */
  readonly retryAfterMs?: number;
}

export interface RetryOptions {
  /** Epoch milliseconds after which no attempt starts and no wait ends. */
  readonly deadline: number;
  /** Classifies an error: `undefined` means do not retry. */
  readonly retryable: (error: unknown) => RetryableFailure | undefined;
  /** First backoff ceiling. @default 200 */
  readonly baseDelayMs?: number;
  /** Largest backoff ceiling. @default 10_000 */
  readonly maxDelayMs?: number;
  /** Attempts in all, the first included. @default 12 */
  readonly maxAttempts?: number;
  /** Called before each wait (for logging). */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Injectable for tests of the pure delay policy. @default Math.random */
  readonly random?: () => number;
}

/** The wait before retry number `attempt` (1-based): full jitter, at least the server's Retry-After. */
export function backoffDelay(attempt: number, failure: RetryableFailure, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'> = {}): number {
  const base = options.baseDelayMs ?? 200;
  const cap = options.maxDelayMs ?? 10_000;
  const random = options.random ?? Math.random;
  const ceiling = Math.min(cap, base * 2 ** (attempt - 1));
  const jittered = Math.floor(random() * ceiling);
  if (failure.retryAfterMs === undefined) {
    return jittered;
  }
  // Honour Retry-After, spread by up to a quarter of the backoff so a burst of throttled callers
  // does not come back in the same instant.
  return failure.retryAfterMs + Math.floor(jittered / 4);
}

/** Thrown when the deadline leaves no room for another attempt; carries the last error. */
export class RetryDeadlineError extends Error {
  constructor(public readonly lastError: unknown, attempts: number) {
    super(`${errorMessage(lastError)} (gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}: no time left before the Lambda timeout)`);
    this.name = 'RetryDeadlineError';
  }
}

/**
 * Marks an error thrown after at least one attempt ended without a definite answer: a retryable
 * failure (lost response, reset, timeout, 5xx, throttling) may hide a call that took effect, even
 * when a later attempt got a definite error (a 403 after a lost response).
 */
const OUTCOME_UNKNOWN = Symbol.for('cdk-appfabric.someAttemptOutcomeUnknown');

/** Whether some attempt behind this error (or an error it was made from) may have taken effect. */
export function someAttemptOutcomeUnknown(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { [OUTCOME_UNKNOWN]?: boolean })[OUTCOME_UNKNOWN] === true;
}

/**
 * Carries what `cause` says about unknown outcomes over to `error` (an error made from it, e.g.
 * a clearer message for the person deploying), and returns `error`.
 */
export function withOutcomeOf<E>(error: E, cause: unknown): E {
  if (someAttemptOutcomeUnknown(cause)) {
    markOutcomeUnknown(error);
  }
  return error;
}

function markOutcomeUnknown(error: unknown): void {
  if (typeof error === 'object' && error !== null && Object.isExtensible(error)) {
    Object.defineProperty(error, OUTCOME_UNKNOWN, { value: true, enumerable: false });
  }
}

/**
 * Runs `operation` until it succeeds, fails for good, or the deadline comes. The error it throws
 * is marked (see someAttemptOutcomeUnknown) when any attempt failed retryably: such an attempt
 * may have been performed by the service even though its answer never arrived.
 */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 12;
  let outcomeUnknown = false;
  const fail = (error: unknown): unknown => {
    if (outcomeUnknown) {
      markOutcomeUnknown(error);
    }
    return error;
  };
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const failure = options.retryable(error);
      if (!failure) {
        throw fail(error);
      }
      outcomeUnknown = true;
      if (attempt >= maxAttempts) {
        throw fail(error);
      }
      const delay = backoffDelay(attempt, failure, options);
      if (Date.now() + delay >= options.deadline) {
        throw fail(new RetryDeadlineError(error, attempt));
      }
      options.onRetry?.(error, attempt, delay);
      await sleep(delay);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) {
    return undefined;
  }
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) {
    return seconds * 1000;
  }
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
