/**
 * The gateway extension fields apiferry writes into OpenAPI documents and reads back.
 * Every field written here is read by openapi-to-proxies.ts; docs/OPENAPI-FACE.md lists them.
 */
export const X_API_PROXIES = 'x-apigateway-api-proxies';
/** On an operation: the name of the API proxy (of X_API_PROXIES) the operation belongs to. */
export const X_API_PROXY = 'x-apigateway-api-proxy';
/** On an operation: the endpoint's policy flows (define=all). */
export const X_POLICIES = 'x-apigateway-policies';
/** On an operation: the endpoint's operation name when operationId had to differ (duplicates). */
export const X_OPERATION = 'x-apigateway-operation';
/** On a path item: an operation answering every method (the ANY endpoint), as APIG writes it. */
export const X_ANY_METHOD = 'x-apigateway-any-method';

export type Define = 'spec' | 'proxy' | 'all';
export type OasVersion = '2.0' | '3.0';
export type DocumentFormat = 'json' | 'yaml';

export const DEFINES: readonly Define[] = ['spec', 'proxy', 'all'];
export const OAS_VERSIONS: readonly OasVersion[] = ['2.0', '3.0'];
export const DOCUMENT_FORMATS: readonly DocumentFormat[] = ['json', 'yaml'];

/** The backend routing of a proxy as written in a proxy entry (define=proxy and all). */
export interface BackendExtension {
  algorithm: string;
  addressList: { address: string; weight?: number; soapType?: string }[];
  timeoutMs?: number;
}

/** One element of X_API_PROXIES: a proxy's identity and settings, without its endpoints. */
export interface ApiProxyEntry {
  uuid?: string;
  name: string;
  type?: string;
  basePath: string;
  version?: string;
  description?: string;
  backend?: BackendExtension;
  /** define=all from here on. */
  policies?: Record<string, unknown>;
  cache?: Record<string, unknown>;
  cors?: Record<string, unknown>;
  maintenanceMode?: boolean;
  scopes?: string[];
}
