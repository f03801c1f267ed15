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

export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 12;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const failure = options.retryable(error);
      if (!failure) {
        throw error;
      }
      if (attempt >= maxAttempts) {
        throw error;
      }
      const delay = backoffDelay(attempt, failure, options);
      if (Date.now() + delay >= options.deadline) {
        throw new RetryDeadlineError(error, attempt);
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
