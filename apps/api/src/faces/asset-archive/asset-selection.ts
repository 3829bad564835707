import { ValidationError, type AssetKind, type ConflictPolicies } from '#core';

/** The vendor's asset type words (query parameters, search `types`, overwrite list) → apiferry types. */
const TYPE_WORDS: Record<string, AssetKind> = {
  api: 'apiProxy',
  apis: 'apiProxy',
  policy: 'policy',
  policies: 'policy',
  alias: 'alias',
  aliases: 'alias',
  application: 'application',
  applications: 'application',
};

/** apiferry type → the vendor's word in answers. */
export const VENDOR_TYPE: Record<AssetKind, string> = { apiProxy: 'api', policy: 'policy', alias: 'alias', application: 'application' };

export function assetTypeOf(word: string, pointer: string): AssetKind {
  const type = TYPE_WORDS[word.trim().toLowerCase()];
  if (!type) throw new ValidationError(`Unknown asset type "${word}" in ${pointer}; use apis, policies, aliases or applications.`);
  return type;
}

/**
 * One query parameter's ids: absent → none, `*` → every asset of the type, otherwise a
 * comma-separated list (the parameter may also be repeated).
 */
export function parseIdList(raw: string | string[] | undefined, parameter: string): string[] | '*' {
  if (raw === undefined) return [];
  const ids = [...new Set((Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== ''))];
  if (ids.includes('*')) {
    if (ids.length > 1) throw new ValidationError(`${parameter} is either * or a list of ids, not both.`);
    return '*';
  }
  if (ids.length > 10_000) throw new ValidationError(`${parameter} names more than 10000 assets; use * or the search form.`);
  if (ids.some((id) => id.length > 128)) throw new ValidationError(`${parameter} holds an id longer than 128 characters.`);
  return ids;
}

/**
 * `overwrite`: `*` overwrites every type; a list names the types that overwrite; every type
 * not named keeps the default, which fails that asset on a clash.
 */
export function parseOverwrite(raw: string | undefined): ConflictPolicies {
  const policies: ConflictPolicies = { apiProxy: 'fail', policy: 'fail', alias: 'fail', application: 'fail' };
  if (raw === undefined || raw.trim() === '') return policies;
  const words = raw.split(',').map((w) => w.trim()).filter((w) => w !== '');
  if (words.includes('*')) return { apiProxy: 'overwrite', policy: 'overwrite', alias: 'overwrite', application: 'overwrite' };
  for (const word of words) policies[assetTypeOf(word, 'overwrite')] = 'overwrite';
  return policies;
}

export function parseFlag(raw: string | undefined, name: string, fallback: boolean): boolean {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ValidationError(`${name} must be true or false.`);
}

/**
 * The search form's name pattern as an SQL ILIKE pattern: `*` matches any run of
 * characters, `?` one character, case-insensitive, anchored at both ends. A glob rather
 * than a regular expression, so a pattern can never take the service hostage.
 */
export function namePattern(glob: string): string {
  if (glob.length > 256) throw new ValidationError('The name pattern is longer than 256 characters.');
  return glob.replace(/[\\%_]/g, '\\$&').replace(/\*+/g, '%').replace(/\?/g, '_');
}
