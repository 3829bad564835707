import { X_ANY_METHOD, X_API_PROXIES, X_API_PROXY, X_OPERATION, X_POLICIES, type ApiProxyEntry } from './extensions.js';
import type { SourceVersion } from './document-reader.js';
import { joinPath, routeKey, stripBasePath } from './paths.js';
import { OPENAPI_METHODS, type ProxyDocument, type ProxyEndpoint } from './proxy-shape.js';

/** One operation of the document, with the proxy and endpoint it becomes (or why it cannot). */
export interface DocumentOperation {
  /** As the document writes them: the path key and the upper-case method (ANY for x-apigateway-any-method). */
  path: string;
  method: string;
  /** Gateway path: the document's base path (servers / basePath) + the path key. */
  fullPath: string;
  /** Index into `proxies`; undefined when the operation failed. */
  proxy?: number;
  endpoint?: ProxyEndpoint;
  error?: { code: 'duplicate' | 'unsupported' | 'invalid'; message: string };
}

export interface ConvertedDocument {
  /** Proxies without endpoints: the import decides which operations end in which proxy. */
  proxies: ProxyDocument[];
  /** Every operation of the document, in document order. */
  operations: DocumentOperation[];
  warnings: string[];
  /** Keys of `paths`, with or without operations. */
  pathCount: number;
  /** True when the document carried apiferry's own proxy entries (an apiferry export). */
  fromExtensions: boolean;
}

const ENDPOINT_PATH = /^\/[^\s?#]*$/;
const OPERATION_MAX = 256;
/** Operation-object members a proxy endpoint has no place for (documentation only). */
const DOCUMENTATION_MEMBERS = ['parameters', 'requestBody', 'responses', 'security', 'callbacks'] as const;

/**
 * Reads a (dereferenced) OpenAPI document into proxies: one per document, or the proxies
 * its x-apigateway-api-proxies extension names. Operations match on (method, path); within
 * the document the first of two operations on one route wins and the later one fails.
 * Whatever a proxy cannot hold is named in `warnings`, never dropped silently.
 */
export function openApiToProxies(document: Record<string, unknown>, version: SourceVersion): ConvertedDocument {
  const warnings: string[] = [];
  const paths = document.paths;
  if (paths !== undefined && (typeof paths !== 'object' || paths === null || Array.isArray(paths))) {
    throw new TypeError('paths must be an object');
  }
  const pathEntries = Object.entries((paths ?? {}) as Record<string, unknown>);
  noteUnrepresented(document, version, warnings);

  const entries = proxyEntries(document, warnings);
  const fromExtensions = entries.length > 0;
  const docBase = documentBasePath(document, version);
  const proxies: ProxyDocument[] = fromExtensions ? entries.map(entryToProxy) : [foreignProxy(document, version, docBase, warnings)];
  const proxyByName = new Map(proxies.map((p, i) => [p.name, i]));

  const operations: DocumentOperation[] = [];
  const firstByRoute = new Map<string, DocumentOperation>();
  const skipped = { documentation: 0, emptyPaths: [] as string[] };
  for (const [pathKey, rawItem] of pathEntries) {
    if (typeof rawItem !== 'object' || rawItem === null) continue;
    const item = rawItem as Record<string, unknown>;
    const fullPath = joinPath(docBase, pathKey);
    const methods: [string, unknown][] = [
      ...OPENAPI_METHODS.filter((m) => item[m] !== undefined).map((m) => [m.toUpperCase(), item[m]] as [string, unknown]),
      ...(item[X_ANY_METHOD] !== undefined ? [['ANY', item[X_ANY_METHOD]] as [string, unknown]] : []),
    ];
    if (methods.length === 0) skipped.emptyPaths.push(pathKey);
    for (const [method, rawOperation] of methods) {
      const operation = (rawOperation ?? {}) as Record<string, unknown>;
      const entry: DocumentOperation = { path: pathKey, method, fullPath };
      operations.push(entry);
      if (method === 'TRACE') {
        entry.error = { code: 'unsupported', message: 'TRACE operations cannot be represented: an API proxy endpoint has no TRACE method.' };
        continue;
      }
      const route = routeKey(method, fullPath);
      const first = firstByRoute.get(route);
      if (first) {
        entry.error = { code: 'duplicate', message: `${method} ${pathKey} duplicates ${first.method} ${first.path} earlier in this document; the first one is imported.` };
        continue;
      }
      firstByRoute.set(route, entry);
      const proxyIndex = fromExtensions ? proxyOfOperation(operation, proxies, proxyByName) : 0;
      if (proxyIndex === undefined) {
        entry.error = { code: 'invalid', message: `The operation names API proxy "${String(operation[X_API_PROXY])}", which ${X_API_PROXIES} does not define.` };
        continue;
      }
      const endpointPath = stripBasePath(proxies[proxyIndex].basePath, fullPath);
      if (endpointPath === undefined) {
        entry.error = { code: 'invalid', message: `${fullPath} lies outside the base path ${proxies[proxyIndex].basePath} of API proxy "${proxies[proxyIndex].name}".` };
        continue;
      }
      if (!ENDPOINT_PATH.test(endpointPath) || endpointPath.length > 1024) {
        entry.error = { code: 'invalid', message: `The path ${pathKey} cannot be an endpoint path (it must start with "/" and hold no spaces, "?" or "#", at most 1024 characters).` };
        continue;
      }
      const endpoint: ProxyEndpoint = { method, path: endpointPath };
      const name = typeof operation[X_OPERATION] === 'string' ? (operation[X_OPERATION] as string) : typeof operation.operationId === 'string' ? operation.operationId : undefined;
      if (name !== undefined) {
        endpoint.operation = name.slice(0, OPERATION_MAX);
        if (name.length > OPERATION_MAX) warnings.push(`The operationId of ${method} ${pathKey} is longer than ${OPERATION_MAX} characters and was shortened.`);
      }
      if (isObject(operation[X_POLICIES])) endpoint.policies = operation[X_POLICIES] as Record<string, unknown>;
      if (!fromExtensions && DOCUMENTATION_MEMBERS.some((m) => operation[m] !== undefined)) skipped.documentation++;
      if (isObject(operation.callbacks)) {
        warnings.push(`${method} ${pathKey}: callbacks (${Object.keys(operation.callbacks as object).join(', ')}) cannot be represented by an API proxy and were not imported.`);
      }
      entry.proxy = proxyIndex;
      entry.endpoint = endpoint;
    }
  }
  if (skipped.documentation > 0) {
    warnings.push(
      `${skipped.documentation} operation(s) describe parameters, request bodies, responses or security; an API proxy endpoint keeps only method, path and operation name, so those descriptions were not imported.`,
    );
  }
  if (skipped.emptyPaths.length > 0) {
    warnings.push(`${skipped.emptyPaths.length} path(s) hold no operation and gave no endpoint: ${skipped.emptyPaths.slice(0, 3).join(', ')}${skipped.emptyPaths.length > 3 ? ', ...' : ''}.`);
  }
  return { proxies, operations, warnings, pathCount: pathEntries.length, fromExtensions };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function proxyEntries(document: Record<string, unknown>, warnings: string[]): ApiProxyEntry[] {
  const raw = document[X_API_PROXIES];
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    warnings.push(`${X_API_PROXIES} is not a list and was ignored.`);
    return [];
  }
  const entries: ApiProxyEntry[] = [];
  for (const [i, entry] of raw.entries()) {
    if (!isObject(entry) || typeof entry.name !== 'string' || typeof entry.basePath !== 'string') {
      warnings.push(`${X_API_PROXIES}[${i}] has no name or basePath and was ignored.`);
      continue;
    }
    if (entries.some((e) => e.name === entry.name)) {
      warnings.push(`${X_API_PROXIES}[${i}] repeats the API proxy name "${entry.name}"; the first entry is used.`);
      continue;
    }
    entries.push(entry as unknown as ApiProxyEntry);
  }
  return entries;
}

function entryToProxy(entry: ApiProxyEntry): ProxyDocument {
  const proxy: ProxyDocument = { name: entry.name, basePath: entry.basePath, endpoints: [] };
  if (entry.uuid !== undefined) proxy.uuid = entry.uuid;
  if (entry.type !== undefined) proxy.type = entry.type;
  if (entry.version !== undefined) proxy.version = entry.version;
  if (entry.description !== undefined) proxy.description = entry.description;
  if (entry.backend !== undefined) proxy.routing = entry.backend;
  if (entry.policies !== undefined) proxy.policies = entry.policies;
  if (entry.cache !== undefined) proxy.cache = entry.cache;
  if (entry.cors !== undefined) proxy.cors = entry.cors;
  if (entry.maintenanceMode !== undefined) proxy.maintenanceMode = entry.maintenanceMode;
  if (entry.scopes !== undefined) proxy.scopes = entry.scopes;
  return proxy;
}

function proxyOfOperation(operation: Record<string, unknown>, proxies: ProxyDocument[], byName: Map<string, number>): number | undefined {
  const named = operation[X_API_PROXY];
  if (typeof named === 'string') return byName.get(named);
  return proxies.length === 1 ? 0 : undefined;
}

/** The gateway base path a document's path keys hang under: 2.0 basePath, 3.x the first server's path. */
export function documentBasePath(document: Record<string, unknown>, version: SourceVersion): string {
  if (version === '2.0') return typeof document.basePath === 'string' && document.basePath.startsWith('/') ? document.basePath.replace(/\/+$/, '') || '/' : '/';
  const url = serverUrls(document)[0];
  if (url === undefined) return '/';
  try {
    return decodeURI(new URL(url, 'http://relative.invalid').pathname).replace(/\/+$/, '') || '/';
  } catch {
    return '/';
  }
}

/** Server URLs with their variables replaced by the defaults; the document's own, else the first path item's. */
function serverUrls(document: Record<string, unknown>): string[] {
  const fromList = (list: unknown): string[] =>
    Array.isArray(list)
      ? list
          .filter(isObject)
          .filter((s) => typeof s.url === 'string')
          .map((s) => {
            const variables = isObject(s.variables) ? s.variables : {};
            return (s.url as string).replace(/\{([^}]+)\}/g, (whole, name: string) => {
              const variable = variables[name];
              return isObject(variable) && typeof variable.default === 'string' ? variable.default : whole;
            });
          })
      : [];
  const own = fromList(document.servers);
  if (own.length > 0) return own;
  for (const item of Object.values(isObject(document.paths) ? document.paths : {})) {
    if (isObject(item)) {
      const perPath = fromList(item.servers);
      if (perPath.length > 0) return perPath;
    }
  }
  return [];
}

/** A document apiferry did not write: one proxy, named from info.title, backend from servers or host. */
function foreignProxy(document: Record<string, unknown>, version: SourceVersion, basePath: string, warnings: string[]): ProxyDocument {
  const info = isObject(document.info) ? document.info : {};
  const title = typeof info.title === 'string' && info.title.trim() !== '' ? info.title.trim() : undefined;
  const proxy: ProxyDocument = { name: (title ?? 'imported-api').slice(0, 128), basePath, endpoints: [] };
  if (typeof info.version === 'string' && info.version !== '') proxy.version = info.version.slice(0, 64);
  if (typeof info.description === 'string' && info.description !== '') {
    proxy.description = info.description.slice(0, 4000);
    if (info.description.length > 4000) warnings.push('info.description is longer than 4000 characters and was shortened.');
  }
  const addresses = backendAddresses(document, version, warnings);
  if (addresses.length > 0) {
    proxy.routing = { algorithm: 'ROUND_ROBIN', addressList: addresses.map((address) => ({ address })) };
    if (addresses.length > 1) warnings.push(`The document lists ${addresses.length} servers; they become the backend's addresses, balanced round robin.`);
  }
  return proxy;
}

function backendAddresses(document: Record<string, unknown>, version: SourceVersion, warnings: string[]): string[] {
  if (version === '2.0') {
    if (typeof document.host !== 'string' || document.host === '') return [];
    const schemes = Array.isArray(document.schemes) ? (document.schemes as unknown[]) : [];
    const scheme = schemes.includes('https') ? 'https' : schemes.includes('http') || schemes.length === 0 ? 'http' : undefined;
    if (!scheme) {
      warnings.push(`The document's schemes (${schemes.join(', ')}) hold neither http nor https; it names no usable backend.`);
      return [];
    }
    const base = typeof document.basePath === 'string' ? document.basePath.replace(/\/+$/, '') : '';
    return [`${scheme}://${document.host}${base}`];
  }
  const urls = serverUrls(document);
  const usable = urls.filter((u) => /^https?:\/\/[^{}]+$/.test(u)).map((u) => u.replace(/\/+$/, ''));
  const unusable = urls.filter((u) => !/^https?:\/\/[^{}]+$/.test(u));
  if (unusable.length > 0) warnings.push(`Server URL(s) ${unusable.slice(0, 3).join(', ')} are not absolute http(s) URLs and cannot be backend addresses.`);
  const perPath = new Set<string>();
  for (const item of Object.values(isObject(document.paths) ? document.paths : {})) {
    if (isObject(item) && Array.isArray(item.servers)) for (const s of item.servers) if (isObject(s) && typeof s.url === 'string') perPath.add(s.url.replace(/\/+$/, ''));
  }
  const differing = [...perPath].filter((u) => !usable.includes(u));
  if (differing.length > 0) {
    warnings.push(`Path items name other servers (${differing.slice(0, 3).join(', ')}${differing.length > 3 ? ', ...' : ''}); one proxy has one backend, so they were not used.`);
  }
  return [...new Set(usable)].slice(0, 100);
}

/** Top-level parts of a document that no proxy field holds. */
function noteUnrepresented(document: Record<string, unknown>, version: SourceVersion, warnings: string[]): void {
  const webhooks = isObject(document.webhooks) ? Object.keys(document.webhooks) : [];
  if (webhooks.length > 0) warnings.push(`Webhooks (${webhooks.join(', ')}) describe calls the API makes, not operations it serves; they were not imported.`);
  const components = isObject(document.components) ? document.components : {};
  const schemaCount = version === '2.0' ? Object.keys(isObject(document.definitions) ? document.definitions : {}).length : Object.keys(isObject(components.schemas) ? components.schemas : {}).length;
  if (schemaCount > 0 && document[X_API_PROXIES] === undefined) warnings.push(`${schemaCount} schema definition(s) are documentation a proxy does not hold; they were not imported.`);
  const security = version === '2.0' ? document.securityDefinitions : components.securitySchemes;
  if (isObject(security) && Object.keys(security).length > 0) warnings.push(`Security schemes (${Object.keys(security).join(', ')}) are not turned into policies; add authentication policies to the proxy.`);
}
