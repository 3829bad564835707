import { ValidationError } from '../errors.js';

export type AssetKind = 'apiProxy' | 'policy' | 'alias' | 'application';
export const ASSET_KINDS: readonly AssetKind[] = ['alias', 'policy', 'apiProxy', 'application'];
export type ConflictPolicy = 'fail' | 'overwrite' | 'rename' | 'keep';
export const CONFLICT_POLICIES: readonly ConflictPolicy[] = ['fail', 'overwrite', 'rename', 'keep'];
export type ConflictPolicies = Record<AssetKind, ConflictPolicy>;

/**
 * `conflicts` is one word for every type or an object per type; types not named keep the
 * default, `fail`.
 */
export function parseConflictPolicies(input: unknown, pointer = '/conflicts'): ConflictPolicies {
  const all = (policy: ConflictPolicy): ConflictPolicies => ({ alias: policy, policy, apiProxy: policy, application: policy });
  if (input === undefined || input === null) return all('fail');
  if (typeof input === 'string') {
    if (!(CONFLICT_POLICIES as readonly string[]).includes(input)) {
      throw new ValidationError(`conflicts must be one of ${CONFLICT_POLICIES.join(', ')}`, [{ pointer, detail: `must be one of ${CONFLICT_POLICIES.join(', ')}` }]);
    }
    return all(input as ConflictPolicy);
  }
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError('conflicts must be a word or an object per asset type', [{ pointer, detail: 'must be a string or an object' }]);
  }
  const policies = all('fail');
  for (const [kind, policy] of Object.entries(input as Record<string, unknown>)) {
    if (!(ASSET_KINDS as readonly string[]).includes(kind)) {
      throw new ValidationError(`conflicts names an unknown asset type "${kind}"`, [{ pointer: `${pointer}/${kind}`, detail: `unknown asset type; use ${ASSET_KINDS.join(', ')}` }]);
    }
    if (typeof policy !== 'string' || !(CONFLICT_POLICIES as readonly string[]).includes(policy)) {
      throw new ValidationError(`conflicts.${kind} must be one of ${CONFLICT_POLICIES.join(', ')}`, [{ pointer: `${pointer}/${kind}`, detail: `must be one of ${CONFLICT_POLICIES.join(', ')}` }]);
    }
    policies[kind as AssetKind] = policy as ConflictPolicy;
  }
  return policies;
}
