// Masks asset hashes in snapshots, so a handler change (which changes its bundle's hash) does
// not churn every construct snapshot. The template's structure is what the snapshots guard.
const ASSET_HASH = /[0-9a-f]{64}(\.zip|\.json)?/g;

module.exports = {
  test: (value: unknown) => typeof value === 'string' && /[0-9a-f]{64}/.test(value),
  serialize: (value: string) => JSON.stringify(value.replace(ASSET_HASH, (_match, ext) => `[ASSET HASH]${ext ?? ''}`)),
};
