import type { ConvertedDocument } from './openapi-to-proxies.js';
import { joinPath, routeKey, stripBasePath } from './paths.js';
import type { ProxyDocument } from './proxy-shape.js';

export type ImportMode = 'merge' | 'override';
export const IMPORT_MODES: readonly ImportMode[] = ['merge', 'override'];

export interface ImportModes {
  /** An operation whose (method, path) exists: merge keeps the existing one, override replaces it. */
  apiMode: ImportMode;
  /** Settings of an existing proxy (backend, policies, cache, CORS, ...): merge keeps, override replaces. */
  extendMode: ImportMode;
}

export interface OperationOutcome {
  path: string;
  method: string;
  /** success: created or updated; failure: with a reason; ignore: an existing operation was kept. */
  outcome: 'success' | 'failure' | 'ignore';
  action?: 'create' | 'update';
  /** The uuid of the proxy that holds the operation. */
  proxyUuid?: string;
  error?: { code: 'duplicate' | 'unsupported' | 'invalid' | 'no-backend'; message: string };
}

export interface ProxyWrite {
  action: 'create' | 'replace';
  doc: ProxyDocument & { uuid: string };
  /** Indexes into `outcomes` of the operations that this write carries. */
  operations: number[];
}

export interface OpenApiImportPlan {
  writes: ProxyWrite[];
  outcomes: OperationOutcome[];
  warnings: string[];
}

const SETTINGS = ['type', 'version', 'description', 'routing', 'policies', 'cache', 'cors', 'maintenanceMode', 'scopes'] as const;

/**
 * Decides what an OpenAPI import does to a project: which proxies are created or replaced
 * and what happens to each operation. Operations match existing endpoints of any proxy of
 * the project on (method, gateway path). Pure: the caller reads the project and writes.
 */
export function planOpenApiImport(converted: ConvertedDocument, existing: (ProxyDocument & { uuid: string })[], modes: ImportModes, newUuid: () => string): OpenApiImportPlan {
  const warnings: string[] = [];
  const working = new Map<string, ProxyDocument & { uuid: string }>(existing.map((p) => [p.uuid, structuredClone(p)]));
  const touched = new Map<string, { action: 'create' | 'replace'; operations: number[] }>();
  const routeHolder = new Map<string, { uuid: string; index: number }>();
  for (const proxy of existing) {
    proxy.endpoints.forEach((endpoint, index) => routeHolder.set(routeKey(endpoint.method, joinPath(proxy.basePath, endpoint.path)), { uuid: proxy.uuid, index }));
  }
  const byName = new Map(existing.map((p) => [p.name, p.uuid]));

  // Each incoming proxy lands on an existing one (uuid, then name) or becomes a new one.
  const targetOf = converted.proxies.map((incoming) => {
    const found = (incoming.uuid && working.has(incoming.uuid) ? incoming.uuid : undefined) ?? byName.get(incoming.name);
    if (found) {
      const target = working.get(found) as ProxyDocument & { uuid: string };
      applySettings(target, incoming, modes.extendMode);
      return found;
    }
    const uuid = incoming.uuid && !working.has(incoming.uuid) ? incoming.uuid : newUuid();
    const created = { ...structuredClone(incoming), uuid, endpoints: [] };
    working.set(uuid, created);
    byName.set(created.name, uuid);
    touched.set(uuid, { action: 'create', operations: [] });
    return uuid;
  });

  const outcomes: OperationOutcome[] = converted.operations.map((operation) => {
    const base = { path: operation.path, method: operation.method };
    if (operation.error || operation.proxy === undefined || !operation.endpoint) {
      return { ...base, outcome: 'failure', error: operation.error ?? { code: 'invalid', message: 'The operation cannot be imported.' } };
    }
    const holder = routeHolder.get(routeKey(operation.method, operation.fullPath));
    if (holder) {
      if (modes.apiMode === 'merge') return { ...base, outcome: 'ignore', proxyUuid: holder.uuid };
      const proxy = working.get(holder.uuid) as ProxyDocument & { uuid: string };
      const current = proxy.endpoints[holder.index];
      // The route stays where it is; what it does comes from the document.
      proxy.endpoints[holder.index] = { ...operation.endpoint, method: current.method, path: current.path };
      return { ...base, outcome: 'success', action: 'update', proxyUuid: holder.uuid };
    }
    const uuid = targetOf[operation.proxy];
    const proxy = working.get(uuid) as ProxyDocument & { uuid: string };
    const path = stripBasePath(proxy.basePath, operation.fullPath);
    if (path === undefined) {
      return { ...base, outcome: 'failure', error: { code: 'invalid', message: `${operation.fullPath} lies outside the base path ${proxy.basePath} of the existing API proxy "${proxy.name}".` } };
    }
    proxy.endpoints.push({ ...operation.endpoint, path });
    routeHolder.set(routeKey(operation.method, operation.fullPath), { uuid, index: proxy.endpoints.length - 1 });
    return { ...base, outcome: 'success', action: 'create', proxyUuid: uuid };
  });

  outcomes.forEach((outcome, index) => {
    if (outcome.outcome !== 'success' || !outcome.proxyUuid) return;
    const entry = touched.get(outcome.proxyUuid) ?? { action: 'replace' as const, operations: [] };
    entry.operations.push(index);
    touched.set(outcome.proxyUuid, entry);
  });
  // An existing proxy whose settings changed is written even when no operation reached it.
  for (const proxy of existing) {
    if (!touched.has(proxy.uuid) && JSON.stringify(working.get(proxy.uuid)) !== JSON.stringify(proxy)) touched.set(proxy.uuid, { action: 'replace', operations: [] });
  }

  const writes: ProxyWrite[] = [];
  for (const [uuid, { action, operations }] of touched) {
    const doc = working.get(uuid) as ProxyDocument & { uuid: string };
    if (action === 'create' && operations.length === 0) continue; // nothing of it was imported
    if (!doc.routing) {
      for (const index of operations) {
        outcomes[index] = {
          path: outcomes[index].path,
          method: outcomes[index].method,
          outcome: 'failure',
          error: { code: 'no-backend', message: `API proxy "${doc.name}" has no backend: the document has no ${'x-apigateway-api-proxies'} backend, absolute servers URL or host.` },
        };
      }
      continue;
    }
    writes.push({ action, doc, operations });
  }
  return { writes, outcomes, warnings };
}

/** Settings of an incoming proxy onto an existing one: override replaces what the document says, merge only fills gaps. */
function applySettings(target: ProxyDocument, incoming: ProxyDocument, mode: ImportMode): void {
  for (const field of SETTINGS) {
    if (incoming[field] === undefined) continue;
    if (mode === 'override' || target[field] === undefined || target[field] === '') (target as Record<string, unknown>)[field] = structuredClone(incoming[field]);
  }
  if (mode === 'override' && incoming.basePath !== target.basePath && target.endpoints.length === 0) target.basePath = incoming.basePath;
}
