export * from './extensions.js';
export type { ProxyDocument, ProxyEndpoint } from './proxy-shape.js';
export { joinPath, stripBasePath, routeKey, groupNameFromTitle } from './paths.js';
export { proxiesToOpenApi, type ExportOptions, type ExportedDocument } from './proxies-to-openapi.js';
export { openApiToProxies, documentBasePath, type ConvertedDocument, type DocumentOperation } from './openapi-to-proxies.js';
export { planOpenApiImport, IMPORT_MODES, type ImportMode, type ImportModes, type OpenApiImportPlan, type OperationOutcome, type ProxyWrite } from './import-plan.js';
export { readOpenApiDocument, readOpenApiBundle, parseDocumentText, validateExportedDocument, InvalidOpenApiDocumentError, MAX_DOCUMENT_BYTES, type ReadDocument, type SourceVersion } from './document-reader.js';
export { serializeDocument, CONTENT_TYPES } from './document-writer.js';
export { readDescriptionZip, looksLikeZip, DEFAULT_DESCRIPTION_ZIP_LIMITS, type DescriptionFiles, type DescriptionZipLimits } from './description-zip.js';
