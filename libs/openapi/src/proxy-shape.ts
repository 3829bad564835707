/**
 * The parts of an API proxy document (libs/core ApiProxyModel, as the catalog stores it)
 * that the conversion reads and writes. Kept structural so the conversion needs no catalog.
 */
export interface ProxyEndpoint {
  method: string;
  path: string;
  operation?: string;
  policies?: Record<string, unknown>;
}

export interface ProxyDocument {
  uuid?: string;
  name: string;
  type?: string;
  basePath: string;
  version?: string;
  description?: string;
  endpoints: ProxyEndpoint[];
  policies?: Record<string, unknown>;
  routing?: { algorithm: string; addressList: { address: string; weight?: number; soapType?: string }[]; timeoutMs?: number };
  cache?: Record<string, unknown>;
  cors?: Record<string, unknown>;
  maintenanceMode?: boolean;
  resources?: unknown[];
  scopes?: string[];
  [field: string]: unknown;
}

/** The HTTP methods an OpenAPI path item holds, in the order they are written. */
export const OPENAPI_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** The methods a proxy endpoint may have besides ANY. */
export const PROXY_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
