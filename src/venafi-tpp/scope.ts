// The TPP OAuth scope grammar, shared by synth-time validation and the handler's comparison of
// scopes: scopes separated by `;`, each optionally followed by `:` and comma-separated
// restrictions, e.g. `certificate:manage,revoke;configuration`. No CDK imports (the handler uses it).

/** One scope with its restrictions, e.g. `certificate:manage,revoke`. */
export interface ScopeItem {
  readonly name: string;
  readonly restrictions: readonly string[];
}

/** Why a scope string does not follow the grammar; undefined when it does. */
export function scopeSyntaxProblem(scope: string): string | undefined {
  if (scope.trim() === '') {
    return 'it is empty';
  }
  if (/\s/.test(scope)) {
    return 'it contains whitespace';
  }
  const seen = new Set<string>();
  for (const item of scope.split(';')) {
    if (item === '') {
      return 'it has an empty scope between or after `;`';
    }
    const parts = item.split(':');
    if (parts.length > 2) {
      return `'${item}' has more than one ':'`;
    }
    const [name, restrictionList] = parts;
    if (!WORD.test(name)) {
      return `'${name}' is not a scope name (letters, digits, '_' and '-', starting with a letter)`;
    }
    if (seen.has(name)) {
      return `scope '${name}' appears twice (list all its restrictions once, e.g. '${name}:a,b')`;
    }
    seen.add(name);
    if (restrictionList === undefined) {
      continue;
    }
    const restrictions = restrictionList.split(',');
    const seenRestrictions = new Set<string>();
    for (const restriction of restrictions) {
      if (!WORD.test(restriction)) {
        return restriction === ''
          ? `'${item}' has an empty restriction (after ':' or between commas)`
          : `'${restriction}' in '${item}' is not a restriction name (letters, digits, '_' and '-', starting with a letter)`;
      }
      if (seenRestrictions.has(restriction)) {
        return `restriction '${restriction}' appears twice in '${item}'`;
      }
      seenRestrictions.add(restriction);
    }
  }
  return undefined;
}

const WORD = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** Parses a scope string that follows the grammar (check with scopeSyntaxProblem first). */
export function parseScope(scope: string): ScopeItem[] {
  return scope.split(';').filter((item) => item !== '').map((item) => {
    const [name, restrictionList] = item.split(':');
    return { name, restrictions: restrictionList === undefined ? [] : restrictionList.split(',').filter((r) => r !== '') };
  });
}

/**
 * The scopes of `scope` that `maximumScope` does not cover. A maximum covers a scope when it
 * names the same scope with at least the same restrictions: TPP restrictions add rights (`manage`,
 * `revoke`…) to a scope, so `certificate:manage,revoke` covers `certificate`, `certificate:manage`
 * and `certificate:manage,revoke`, while a bare `certificate` covers only `certificate`.
 * Names compare exactly (TPP scope names are lowercase).
 */
export function uncoveredScopes(scope: string, maximumScope: string): string[] {
  const maximum = new Map(parseScope(maximumScope).map((item) => [item.name, new Set(item.restrictions)]));
  return parseScope(scope)
    .filter((item) => {
      const allowed = maximum.get(item.name);
      return !allowed || item.restrictions.some((restriction) => !allowed.has(restriction));
    })
    .map(formatScopeItem);
}

/** A canonical spelling: scopes and restrictions sorted, so equal scopes compare equal. */
export function normalizeScope(scope: string): string {
  return parseScope(scope)
    .map((item) => ({ name: item.name, restrictions: [...new Set(item.restrictions)].sort() }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(formatScopeItem)
    .join(';');
}

function formatScopeItem(item: ScopeItem): string {
  return item.restrictions.length > 0 ? `${item.name}:${item.restrictions.join(',')}` : item.name;
}
