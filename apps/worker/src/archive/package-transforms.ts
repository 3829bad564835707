import type { PlanReferences } from '#core';
import type { ImportPayload } from '#jobs';

/** Stands in for absent routing while an entry is validated; never written to the catalog. */
const ROUTING_PLACEHOLDER = { algorithm: 'ROUND_ROBIN', addressList: [{ address: 'http://placeholder.invalid' }] };

/**
 * A package exported without its implementation services holds proxies without routing.
 * Such a proxy is validated as if it had routing, and (unless the import supplies routing)
 * can only replace an existing proxy, whose routing it keeps: `onlyReplace` says why.
 */
export function routingLeftOut(doc: Record<string, unknown>, payload: ImportPayload): { checked: Record<string, unknown>; onlyReplace?: string } {
  if (doc.routing !== undefined) return { checked: doc };
  return {
    checked: { ...doc, routing: ROUTING_PLACEHOLDER },
    ...(payload.routing
      ? {}
      : { onlyReplace: `API "${String(doc.name)}" was exported without its implementation services (routing) and there is no existing API to keep them from` }),
  };
}

/** The users a proxy's admin relationships name. */
export function adminsOf(doc: Record<string, unknown>): string[] {
  return Array.isArray(doc.admins) ? (doc.admins as { user?: unknown }[]).flatMap((a) => (typeof a?.user === 'string' ? [a.user] : [])) : [];
}

/**
 * Admins are relationships to users, not user records: one naming a user this instance
 * lacks is dropped, and the warning says so. Returns the warnings.
 */
export function keepKnownAdmins(doc: Record<string, unknown>, knownUsers: ReadonlySet<string>): string[] {
  if (!Array.isArray(doc.admins)) return [];
  const unknown = adminsOf(doc).filter((user) => !knownUsers.has(user));
  doc.admins = (doc.admins as { user: string }[]).filter((a) => knownUsers.has(a.user));
  return unknown.map((user) => `admin "${user}" is not a user of this instance; the relationship was not imported`);
}

type Ref = { uuid?: string; name: string };

/**
 * The PKI alias a proxy names is an optional reference: it follows the alias to what the
 * import made of it (renamed, or an existing one kept or replaced by name), and is left as
 * it is otherwise. Returns the alias still to look for in the project, if any.
 */
export function followPkiReference(doc: Record<string, unknown>, references: Pick<PlanReferences, 'get'>): Ref | undefined {
  const pki = doc.pki as Ref | undefined;
  if (!pki || typeof pki !== 'object') return undefined;
  const target = pki.uuid ? references.get(`alias:${pki.uuid}`) : undefined;
  if (target) {
    doc.pki = { uuid: target.uuid, name: target.name };
    return undefined;
  }
  return pki;
}

export function missingPkiWarning(pki: Ref): string {
  return `PKI alias "${pki.name}" is neither in the archive nor in the project: export with migration.pki.export, or create it here`;
}
