import { X_ANY_METHOD, X_API_PROXIES, X_API_PROXY, X_OPERATION, X_POLICIES, type ApiProxyEntry, type Define, type OasVersion } from './extensions.js';
import { joinPath, routeKey, templateParameters } from './paths.js';
import type { ProxyDocument } from './proxy-shape.js';

export interface ExportOptions {
  oasVersion: OasVersion;
  define: Define;
  /** info.title: the API group (project) name. */
  title: string;
  description?: string;
  /** info.version; the caller passes the export time when the request names none. */
  version: string;
}

export interface ExportedDocument {
  document: Record<string, unknown>;
  /** What a proxy holds that the document could not carry, one sentence each. */
  warnings: string[];
  operations: number;
}

/**
 * Writes an API group (one or more proxies) as one OpenAPI 2.0 or 3.0 document. Paths are
 * gateway paths (base path + endpoint path), so several proxies share one `paths` object;
 * with define=proxy or all, each operation names its proxy and the proxies' settings
 * travel in the x-apigateway-api-proxies extension, so the import can rebuild them.
 */
export function proxiesToOpenApi(proxies: ProxyDocument[], options: ExportOptions): ExportedDocument {
  const warnings: string[] = [];
  const paths: Record<string, Record<string, unknown>> = {};
  const seenRoutes = new Map<string, string>();
  const usedOperationIds = new Set<string>();
  let operations = 0;
  const sorted = [...proxies].sort((a, b) => a.name.localeCompare(b.name));
  for (const proxy of sorted) {
    if (Array.isArray(proxy.resources) && proxy.resources.length > 0) {
      warnings.push(`API proxy "${proxy.name}" has ${proxy.resources.length} documentation resource(s); an OpenAPI document does not carry them.`);
    }
    for (const endpoint of proxy.endpoints) {
      const fullPath = joinPath(proxy.basePath, endpoint.path);
      const method = endpoint.method.toUpperCase();
      const key = routeKey(method, fullPath);
      const holder = seenRoutes.get(key);
      if (holder !== undefined) {
        warnings.push(`${method} ${fullPath} of API proxy "${proxy.name}" is left out: ${holder} already defines that route in this document.`);
        continue;
      }
      seenRoutes.set(key, `API proxy "${proxy.name}"`);
      const pathItem = (paths[fullPath] ??= {});
      pathItem[method === 'ANY' ? X_ANY_METHOD : method.toLowerCase()] = operationObject(proxy, endpoint, fullPath, options, usedOperationIds);
      operations++;
    }
  }
  const info: Record<string, unknown> = { title: options.title, version: options.version };
  if (options.description) info.description = options.description;
  const document: Record<string, unknown> =
    options.oasVersion === '2.0' ? { swagger: '2.0', info, basePath: '/', paths } : { openapi: '3.0.3', info, paths };
  if (options.define !== 'spec') document[X_API_PROXIES] = sorted.map((proxy) => proxyEntry(proxy, options.define));
  return { document, warnings, operations };
}

function operationObject(
  proxy: ProxyDocument,
  endpoint: ProxyDocument['endpoints'][number],
  fullPath: string,
  options: ExportOptions,
  usedOperationIds: Set<string>,
): Record<string, unknown> {
  const operation: Record<string, unknown> = {};
  if (endpoint.operation) {
    // operationId must be unique in a document; a second proxy may reuse a name.
    let id = endpoint.operation;
    for (let n = 2; usedOperationIds.has(id); n++) id = `${endpoint.operation}_${n}`;
    usedOperationIds.add(id);
    operation.operationId = id;
    if (id !== endpoint.operation) operation[X_OPERATION] = endpoint.operation;
  }
  const parameters = templateParameters(fullPath).map((name) =>
    options.oasVersion === '2.0' ? { name, in: 'path', required: true, type: 'string' } : { name, in: 'path', required: true, schema: { type: 'string' } },
  );
  if (parameters.length > 0) operation.parameters = parameters;
  operation.responses = { default: { description: 'The backend response, passed through by the gateway.' } };
  if (options.define !== 'spec') operation[X_API_PROXY] = proxy.name;
  if (options.define === 'all' && endpoint.policies) operation[X_POLICIES] = endpoint.policies;
  return operation;
}

function proxyEntry(proxy: ProxyDocument, define: Define): ApiProxyEntry {
  const entry: ApiProxyEntry = { name: proxy.name, basePath: proxy.basePath };
  if (proxy.uuid) entry.uuid = proxy.uuid;
  if (proxy.type) entry.type = proxy.type;
  if (proxy.version) entry.version = proxy.version;
  if (proxy.description) entry.description = proxy.description;
  if (proxy.routing) entry.backend = JSON.parse(JSON.stringify(proxy.routing)) as ApiProxyEntry['backend'];
  if (define === 'all') {
    if (proxy.policies) entry.policies = proxy.policies;
    if (proxy.cache) entry.cache = proxy.cache;
    if (proxy.cors) entry.cors = proxy.cors;
    if (proxy.maintenanceMode !== undefined) entry.maintenanceMode = proxy.maintenanceMode;
    if (proxy.scopes) entry.scopes = proxy.scopes;
  }
  return entry;
}
