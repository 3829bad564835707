import type { AssetKind } from '../import/conflict-policy.js';

export interface AssetReference {
  type: AssetKind;
  uuid?: string;
  name: string;
}

type Doc = Record<string, unknown>;
type Step = { sharedPolicy?: { uuid?: string; name: string } };

function flowSteps(flows: unknown): Step[] {
  if (!flows || typeof flows !== 'object') return [];
  const { request, response, error } = flows as Record<string, unknown>;
  return [request, response, error].flatMap((list) => (Array.isArray(list) ? (list as Step[]) : []));
}

function proxySteps(doc: Doc): Step[] {
  const endpoints = Array.isArray(doc.endpoints) ? (doc.endpoints as { policies?: unknown }[]) : [];
  return [...flowSteps(doc.policies), ...endpoints.flatMap((e) => flowSteps(e.policies))];
}

/**
 * The required references of an asset document: a proxy needs the shared policies its flows
 * use, a policy the aliases it names, an application the proxies it subscribes to.
 */
export function requiredReferences(type: AssetKind, doc: Doc): AssetReference[] {
  switch (type) {
    case 'apiProxy':
      return proxySteps(doc)
        .filter((s) => s.sharedPolicy)
        .map((s) => ({ type: 'policy' as const, uuid: s.sharedPolicy?.uuid, name: s.sharedPolicy?.name as string }));
    case 'policy':
      return (Array.isArray(doc.aliases) ? (doc.aliases as { uuid?: string; name: string }[]) : []).map((a) => ({ type: 'alias' as const, uuid: a.uuid, name: a.name }));
    case 'application':
      return (Array.isArray(doc.subscriptions) ? (doc.subscriptions as { uuid?: string; name: string }[]) : []).map((s) => ({
        type: 'apiProxy' as const,
        uuid: s.uuid,
        name: s.name,
      }));
    case 'alias':
      return [];
  }
}

/**
 * Points an asset's references at what they became in the target project (a renamed copy,
 * an existing asset kept instead). `resolve` answers undefined for references left alone.
 */
export function rewriteReferences(
  type: AssetKind,
  doc: Doc,
  resolve: (ref: AssetReference) => { uuid: string; name: string } | undefined,
): Doc {
  const copy = structuredClone(doc);
  const apply = (ref: { uuid?: string; name: string }, refType: AssetKind): void => {
    const target = resolve({ type: refType, uuid: ref.uuid, name: ref.name });
    if (target) {
      ref.uuid = target.uuid;
      ref.name = target.name;
    }
  };
  if (type === 'apiProxy') for (const step of proxySteps(copy)) if (step.sharedPolicy) apply(step.sharedPolicy, 'policy');
  if (type === 'policy' && Array.isArray(copy.aliases)) for (const ref of copy.aliases as { uuid?: string; name: string }[]) apply(ref, 'alias');
  if (type === 'application' && Array.isArray(copy.subscriptions)) for (const ref of copy.subscriptions as { uuid?: string; name: string }[]) apply(ref, 'apiProxy');
  return copy;
}

/** Asset types whose documents hold a `secrets` object (field → value). */
export const TYPES_WITH_SECRETS: readonly AssetKind[] = ['alias', 'application'];
