import { entryPathProblem } from '#archive';
import { InvalidOpenApiDocumentError, MAX_DOCUMENT_BYTES } from './document-reader.js';

export interface DescriptionZipLimits {
  maxEntries: number;
  /** Bytes actually inflated, over all description files together. */
  maxTotalBytes: number;
}

export const DEFAULT_DESCRIPTION_ZIP_LIMITS: DescriptionZipLimits = { maxEntries: 20_000, maxTotalBytes: MAX_DOCUMENT_BYTES };

export interface DescriptionFiles {
  files: Map<string, string>;
  /** The one file that starts the description (it holds `openapi:` or `swagger:`). */
  root: string;
  warnings: string[];
}

const DESCRIPTION_FILE = /\.(ya?ml|json)$/i;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
/** A top-level (unindented) YAML key; JSON files are parsed instead. */
const YAML_ROOT_MARKER = /^["']?(openapi|swagger)["']?\s*:/m;

/** Whether the bytes start like a ZIP archive (a local file header or an empty archive). */
export function looksLikeZip(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
}

/**
 * A multi-file description sent as a ZIP of its folder: the .yaml/.yml/.json entries as
 * text by path, checked as archives are (safe names, no links, no encryption, no
 * duplicates, entry count, inflated bytes counted as they come), and the root document.
 */
export async function readDescriptionZip(zip: Buffer, limits: DescriptionZipLimits = DEFAULT_DESCRIPTION_ZIP_LIMITS): Promise<DescriptionFiles> {
  // Loaded on first use: only multi-file OpenAPI imports read such a ZIP.
  const { default: unzipper } = await import('unzipper');
  let directory;
  try {
    directory = await unzipper.Open.buffer(zip);
  } catch (err) {
    throw new InvalidOpenApiDocumentError(`The ZIP cannot be read: ${(err as Error).message}`);
  }
  if (directory.files.length > limits.maxEntries) throw new InvalidOpenApiDocumentError(`The ZIP holds ${directory.files.length} entries; at most ${limits.maxEntries} are accepted.`);
  const files = new Map<string, string>();
  const warnings: string[] = [];
  const seen = new Set<string>();
  let skipped = 0;
  let total = 0;
  for (const entry of directory.files) {
    const isDirectory = entry.type === 'Directory';
    const problem = entryPathProblem(isDirectory ? entry.path.replace(/\/$/, '') : entry.path, { directory: isDirectory });
    if (problem) throw new InvalidOpenApiDocumentError(`The ZIP entry "${entry.path}" is refused: ${problem}.`);
    if (seen.has(entry.path)) throw new InvalidOpenApiDocumentError(`The ZIP holds "${entry.path}" twice.`);
    seen.add(entry.path);
    if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) throw new InvalidOpenApiDocumentError(`The ZIP entry "${entry.path}" is a symbolic link.`);
    if (entry.flags & 1) throw new InvalidOpenApiDocumentError(`The ZIP entry "${entry.path}" is encrypted.`);
    if (isDirectory) continue;
    if (!DESCRIPTION_FILE.test(entry.path)) {
      skipped++;
      continue;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of entry.stream()) {
      total += (chunk as Buffer).length;
      if (total > limits.maxTotalBytes) throw new InvalidOpenApiDocumentError(`The description files inflate to more than ${limits.maxTotalBytes} bytes.`);
      chunks.push(chunk as Buffer);
    }
    files.set(entry.path, Buffer.concat(chunks).toString('utf8'));
  }
  if (skipped > 0) warnings.push(`${skipped} ZIP ${skipped === 1 ? 'entry' : 'entries'} not ending in .yaml, .yml or .json ${skipped === 1 ? 'was' : 'were'} not read.`);
  return { files, root: rootOf(files), warnings };
}

/** The shallowest file that declares an OpenAPI version; ambiguity is the sender's to resolve. */
function rootOf(files: Map<string, string>): string {
  const candidates = [...files.entries()].filter(([path, text]) => declaresVersion(path, text)).map(([path]) => path);
  if (candidates.length === 0) throw new InvalidOpenApiDocumentError('No file in the ZIP declares "openapi" or "swagger": there is no root document.');
  const depth = (path: string) => path.split('/').length;
  const shallowest = Math.min(...candidates.map(depth));
  const roots = candidates.filter((c) => depth(c) === shallowest);
  if (roots.length > 1) throw new InvalidOpenApiDocumentError(`Several files could be the root document (${roots.slice(0, 3).join(', ')}); send a ZIP with one.`);
  return roots[0];
}

function declaresVersion(path: string, text: string): boolean {
  if (!/\.json$/i.test(path)) return YAML_ROOT_MARKER.test(text);
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return typeof parsed === 'object' && parsed !== null && ('openapi' in parsed || 'swagger' in parsed);
  } catch {
    return false;
  }
}
