import { parse as parseYaml } from 'yaml';
import { DomainError } from '#core';

/**
 * swagger-parser (with ajv and its schemas) loads on first use: only OpenAPI jobs need it,
 * and every worker process would otherwise carry it in its idle memory.
 */
const loadSwaggerParser = () => import('@apidevtools/swagger-parser');
let swaggerParserModule: ReturnType<typeof loadSwaggerParser> | undefined;
async function swaggerParser() {
  swaggerParserModule ??= loadSwaggerParser();
  return (await swaggerParserModule).default;
}

export type SourceVersion = '2.0' | '3.0' | '3.1';

export interface ReadDocument {
  /** The document with every internal $ref resolved (circular ones stay as shared objects). */
  document: Record<string, unknown>;
  version: SourceVersion;
  /** Schema validation findings of a document that is still usable, one sentence each. */
  warnings: string[];
}

/** A document that cannot be read as OpenAPI at all: not JSON/YAML, no version, broken $refs. */
export class InvalidOpenApiDocumentError extends DomainError {
  readonly status = 400;
  readonly title = 'Invalid OpenAPI document';
  readonly code = 'invalid-openapi-document';
}

const PARSER_OPTIONS = {
  // Only the document itself: never the file system or the network.
  resolve: { external: false, file: false, http: false },
  dereference: { circular: 'ignore' as const },
};

/** JSON first (YAML parsers reject some valid JSON escapes, such as surrogate pairs), then YAML. */
export function parseDocumentText(text: string): unknown {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      // fall through: YAML is a superset, and its error message is the more useful one
    }
  }
  try {
    return parseYaml(trimmed, { maxAliasCount: 10_000 });
  } catch (err) {
    throw new InvalidOpenApiDocumentError(`The document is neither JSON nor YAML: ${firstLine((err as Error).message)}`);
  }
}

export function sourceVersionOf(doc: Record<string, unknown>): SourceVersion {
  if (doc.swagger === '2.0') return '2.0';
  const openapi = typeof doc.openapi === 'string' ? doc.openapi : '';
  if (/^3\.0\.\d+$/.test(openapi)) return '3.0';
  if (/^3\.1\.\d+$/.test(openapi)) return '3.1';
  throw new InvalidOpenApiDocumentError(
    doc.swagger !== undefined || doc.openapi !== undefined
      ? `OpenAPI version ${String(doc.swagger ?? doc.openapi)} is not supported (2.0, 3.0.x and 3.1.x are).`
      : 'The document is not an OpenAPI document: it has neither "swagger: 2.0" nor "openapi: 3.x".',
  );
}

/**
 * Validates with swagger-parser and resolves the document's $refs. A document that fails
 * schema validation but still dereferences (real-world descriptions often do) is read with
 * the findings as warnings; one that cannot be dereferenced is refused.
 */
export async function readOpenApiDocument(text: string): Promise<ReadDocument> {
  const parsed = parseDocumentText(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidOpenApiDocumentError('The document must be a JSON or YAML object.');
  }
  const raw = parsed as Record<string, unknown>;
  const version = sourceVersionOf(raw);
  const external = externalReference(raw);
  if (external !== undefined) {
    throw new InvalidOpenApiDocumentError(`The document refers outside itself ($ref "${external}"); only references inside the document (#/...) are followed.`);
  }
  const warnings: string[] = [];
  try {
    const validated = await (await swaggerParser()).validate(structuredClone(raw) as never, PARSER_OPTIONS);
    return { document: validated as unknown as Record<string, unknown>, version, warnings };
  } catch (err) {
    warnings.push(`The document does not fully validate as OpenAPI ${version}: ${firstLine((err as Error).message)}`);
  }
  try {
    const dereferenced = await (await swaggerParser()).dereference(structuredClone(raw) as never, PARSER_OPTIONS);
    return { document: dereferenced as unknown as Record<string, unknown>, version, warnings };
  } catch (err) {
    throw new InvalidOpenApiDocumentError(`The document cannot be read: ${firstLine((err as Error).message)}`);
  }
}

/**
 * Reads a multi-file description (a folder's files by relative path, e.g. the entries of a
 * ZIP) from its root file. External $refs resolve against the referring file inside
 * `files` only: a reference that leaves the set, a file: or http: URL, is refused.
 */
export async function readOpenApiBundle(files: ReadonlyMap<string, string>, rootPath: string): Promise<ReadDocument> {
  const root = files.get(rootPath);
  if (root === undefined) throw new InvalidOpenApiDocumentError(`The root document ${rootPath} is not among the files.`);
  const parsed = parseDocumentText(root);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidOpenApiDocumentError('The root document must be a JSON or YAML object.');
  const version = sourceVersionOf(parsed as Record<string, unknown>);
  const options = {
    resolve: {
      file: false,
      http: false,
      external: true,
      bundle: {
        order: 1,
        canRead: /^bundle:\/\//i,
        read(file: { url: string }): string {
          const path = decodeURIComponent(new URL(file.url).pathname).replace(/^\/+/, '');
          const text = files.get(path);
          if (text === undefined) throw new InvalidOpenApiDocumentError(`$ref to ${path}, which is not part of the description.`);
          return text;
        },
      },
    },
    dereference: { circular: 'ignore' as const },
  };
  const location = `bundle:///${rootPath.split('/').map(encodeURIComponent).join('/')}`;
  const warnings: string[] = [];
  try {
    const validated = await (await swaggerParser()).validate(location, options as never);
    return { document: validated as unknown as Record<string, unknown>, version, warnings };
  } catch (err) {
    warnings.push(`The description does not fully validate as OpenAPI ${version}: ${firstLine((err as Error).message)}`);
  }
  try {
    const dereferenced = await (await swaggerParser()).dereference(location, options as never);
    return { document: dereferenced as unknown as Record<string, unknown>, version, warnings };
  } catch (err) {
    throw new InvalidOpenApiDocumentError(`The description cannot be read: ${firstLine((err as Error).message)}`);
  }
}

/** Validates a document apiferry wrote; a failure here is a defect of the export, never the caller's. */
export async function validateExportedDocument(doc: Record<string, unknown>): Promise<void> {
  await (await swaggerParser()).validate(structuredClone(doc) as never, PARSER_OPTIONS);
}

/** The first $ref that does not point into the document itself (the parsed text is a tree: no cycles). */
function externalReference(node: unknown): string | undefined {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const current = stack.pop();
    if (typeof current !== 'object' || current === null) continue;
    if (Array.isArray(current)) {
      stack.push(...current);
      continue;
    }
    const ref = (current as Record<string, unknown>).$ref;
    if (typeof ref === 'string' && !ref.startsWith('#')) return ref;
    stack.push(...Object.values(current));
  }
  return undefined;
}

/** The start of a parser message (its first findings), bounded: enough to act on, never a wall. */
function firstLine(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const text = lines.slice(0, 3).join(' ') + (lines.length > 3 ? ` (and ${lines.length - 3} more)` : '');
  return text.length > 500 ? `${text.slice(0, 500)}...` : text;
}

/** The largest document accepted (as the archive's JSON entries): a description, not a bulk transfer. */
export const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;
