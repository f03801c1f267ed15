// The one scrubber. Every value a handler reads from a secret, and every token it holds, is
// remembered here the moment it is read; everything that leaves a handler (log lines, failure
// reasons, Data) passes through `scrub`. Services echo requests in their errors in many forms,
// so a value is removed verbatim, JSON-escaped, URL-encoded, base64-encoded, and as any run of
// MIN_RUN or more of its characters in any of those forms.

/** A run of this many characters of a secret (in any form) is treated as the secret. */
export const MIN_RUN = 12;
/** Values shorter than this are not remembered: scrubbing "admin" or "on" would garble every message. */
const MIN_LENGTH = 8;
const MASK = '***';

/** Every MIN_RUN-character window of every form of every remembered value. */
const windows = new Set<string>();
/** Remembered values (in every form) shorter than MIN_RUN: matched whole. */
const shortForms = new Set<string>();
const remembered = new Set<string>();

/** Remembers one secret value for scrubbing. */
export function rememberSecret(value: string | undefined): void {
  if (value === undefined || value.length < MIN_LENGTH || remembered.has(value)) {
    return;
  }
  remembered.add(value);
  for (const form of formsOf(value)) {
    if (form.length < MIN_RUN) {
      shortForms.add(form);
      continue;
    }
    for (let i = 0; i + MIN_RUN <= form.length; i++) {
      windows.add(form.slice(i, i + MIN_RUN));
    }
  }
}

/**
 * Remembers what a secret's string holds: each string field of a JSON object except the
 * `publicFields` (identifiers a service shows by design, such as an OAuth client id, which
 * appears in every AuthUrl), or the whole string when it is not a JSON object.
 */
export function rememberSecretString(secretString: string, publicFields: readonly string[] = []): void {
  const fields = jsonFields(secretString);
  if (!fields) {
    rememberSecret(secretString);
    return;
  }
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string' && !publicFields.includes(name)) {
      rememberSecret(value);
    }
  }
}

/** The text with every remembered value, in every form and any long enough part, replaced by `***`. */
export function scrub(text: string): string {
  if (remembered.size === 0 || text.length === 0) {
    return text;
  }
  // Mark every character covered by a window that belongs to a secret, then mask marked runs.
  const covered = new Uint8Array(text.length);
  for (let i = 0; i + MIN_RUN <= text.length; i++) {
    if (windows.has(text.slice(i, i + MIN_RUN))) {
      covered.fill(1, i, i + MIN_RUN);
    }
  }
  for (const form of shortForms) {
    for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1)) {
      covered.fill(1, at, at + form.length);
    }
  }
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (!covered[i]) {
      out += text[i];
    } else if (i === 0 || !covered[i - 1]) {
      out += MASK;
    }
  }
  return out;
}

/** A deep copy of a JSON-like value with every string scrubbed (for Data and log objects). */
export function scrubDeep<T>(value: T): T {
  if (typeof value === 'string') {
    return scrub(value) as unknown as T;
  }
  if (Array.isArray(value)) {
    return value.map(scrubDeep) as unknown as T;
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v)])) as T;
  }
  return value;
}

/** Forgets every remembered value (tests only: a Lambda container keeps them for its life). */
export function forgetSecretsForTesting(): void {
  windows.clear();
  shortForms.clear();
  remembered.clear();
}

/**
 * The forms a service may echo a value in. A request body carries the value JSON-escaped, and a
 * service quotes that body whole (JSON-escaped again, URL-encoded, base64): for a value with a
 * quote or a backslash those forms differ from the value's own.
 */
function formsOf(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const forms = new Set<string>([value, json, JSON.stringify(json).slice(1, -1)]);
  for (const text of [value, json]) {
    forms.add(encodeURIComponent(text));
    forms.add(encodeURIComponent(text).replace(/%20/g, '+'));
    base64Forms(text).forEach((form) => forms.add(form));
  }
  return [...forms].filter((form) => form.length >= MIN_LENGTH);
}

/**
 * Base64 of the value at each of the three alignments it can have inside a longer encoded text,
 * keeping only the characters that depend on the value alone (standard and URL-safe alphabets).
 */
function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const forms: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const encoded = padded.toString('base64').replace(/=+$/, '');
    // Leading characters mix in the padding bytes; trailing ones may mix in what follows.
    const start = Math.ceil((offset * 8) / 6);
    const end = Math.floor((padded.length * 8) / 6);
    const core = encoded.slice(start, end);
    forms.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

function jsonFields(value: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(value) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}
