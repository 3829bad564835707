import { ByteKeySet } from '#core';
import { entryPathKey, entryPathProblem } from './entry-path.js';
import { ArchiveRejected } from './errors.js';
import { scanTopLevelList } from './json-list-scan.js';
import { decodeBase64, isSealedValue, type SealedValue } from './sealed-value.js';

export const ARCHIVE_FORMAT = 'apiferry-archive';
export const CURRENT_FORMAT_VERSION = '1.0';
/** The newest major version this code reads; newer majors are refused. */
export const SUPPORTED_FORMAT_MAJOR = 1;
export const MANIFEST_PATH = 'manifest.json';

export const ASSET_TYPES = ['apiProxy', 'policy', 'alias', 'application'] as const;
export type AssetType = (typeof ASSET_TYPES)[number];
export const ENTRY_TYPES = [...ASSET_TYPES, 'resource'] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

/** Directory of each asset type's JSON entries. */
export const ASSET_DIRECTORIES: Readonly<Record<AssetType, string>> = Object.freeze({
  apiProxy: 'apiProxies',
  policy: 'policies',
  alias: 'aliases',
  application: 'applications',
});
export const RESOURCE_DIRECTORY = 'resources';

export interface ManifestEntry {
  path: string;
  type: EntryType;
  uuid?: string;
  name?: string;
  /** Lower-case hex SHA-256 of the inflated entry. */
  sha256: string;
  /** Inflated bytes. */
  size: number;
  /**
   * Set on a second copy of another entry (the bare `<apiProxyName>.json` of a
   * single-proxy export, for vendor tools): same bytes, not a second asset.
   */
  aliasOf?: string;
}

export interface AssetRef {
  type: AssetType;
  uuid: string;
}

export interface DependencyEdge {
  from: AssetRef;
  to: AssetRef;
  required: boolean;
}

export interface ScryptKdf {
  name: 'scrypt';
  /** Base64 of the per-archive salt. */
  salt: string;
  N: number;
  r: number;
  p: number;
}

export interface SealedSecrets {
  mode: 'sealed';
  cipher: 'aes-256-gcm';
  kdf: ScryptKdf;
  /** A known value sealed with the archive's key, so a wrong passphrase is told apart from tampering. */
  check: SealedValue;
}

export interface OmittedSecret {
  type: AssetType;
  name: string;
  field: string;
}

export type ManifestSecrets = SealedSecrets | { mode: 'omitted'; omitted: OmittedSecret[] } | { mode: 'none' };

export interface ArchiveOrigin {
  instance: string;
  project: string;
}

export interface Manifest {
  format: typeof ARCHIVE_FORMAT;
  formatVersion: string;
  createdAt: string;
  source: ArchiveOrigin;
  options: Record<string, unknown>;
  entries: ManifestEntry[];
  dependencies: DependencyEdge[];
  secrets: ManifestSecrets;
}

export interface FormatVersion {
  major: number;
  minor: number;
}

/**
 * Turns a manifest of an older accepted version into the current shape, before it is
 * validated. 1.0 is the first version, so there is nothing to upgrade yet; a 1.x minor
 * only adds optional fields, which validation already tolerates. When a version changes
 * the shape, add a step here keyed on `from` (e.g. give a 1.0 manifest the default of a
 * field 1.1 made required) and keep it a pure function of the parsed JSON.
 */
export function upgradeManifest(raw: Record<string, unknown>, from: FormatVersion): Record<string, unknown> {
  void from;
  return raw;
}

/** Parses manifest.json bytes: JSON, format and version checks, upgrade, validation. */
export function parseManifest(bytes: Buffer): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ArchiveRejected('malformed-json', `not valid JSON: ${(error as Error).message}`, MANIFEST_PATH, {
      cause: error,
    });
  }
  if (!isPlainObject(raw)) throw violation('', 'must be an object');
  if (raw.format !== ARCHIVE_FORMAT) throw violation('/format', `must be "${ARCHIVE_FORMAT}"`);
  const version = checkFormatVersion(raw.formatVersion);
  return validateManifest(upgradeManifest(raw, version));
}

/** Reads `formatVersion`, refusing a major version newer than this code understands. */
export function checkFormatVersion(value: unknown): FormatVersion {
  const match = typeof value === 'string' ? /^(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})$/.exec(value) : null;
  if (!match) throw violation('/formatVersion', 'must be "<major>.<minor>"');
  const version = { major: Number(match[1]), minor: Number(match[2]) };
  if (version.major > SUPPORTED_FORMAT_MAJOR) {
    throw new ArchiveRejected(
      'unsupported-format-version',
      `format version ${value} is newer than this service reads (${SUPPORTED_FORMAT_MAJOR}.x); upgrade apiferry to import it`,
      MANIFEST_PATH,
    );
  }
  return version;
}

/** Checks a parsed manifest's shape; throws ArchiveRejected('schema-violation') naming the JSON pointer. */
export function validateManifest(raw: unknown): Manifest {
  const manifest = expectObject(raw, '');
  if (manifest.format !== ARCHIVE_FORMAT) throw violation('/format', `must be "${ARCHIVE_FORMAT}"`);
  checkFormatVersion(manifest.formatVersion);
  const createdAt = expectString(manifest.createdAt, '/createdAt');
  if (Number.isNaN(Date.parse(createdAt))) throw violation('/createdAt', 'must be an ISO 8601 time');
  const source = expectObject(manifest.source, '/source');
  expectString(source.instance, '/source/instance');
  expectString(source.project, '/source/project');
  expectObject(manifest.options, '/options');
  validateEntries(manifest.entries);
  const dependencies = expectArray(manifest.dependencies, '/dependencies');
  dependencies.forEach((edge, index) => validateEdge(edge, `/dependencies/${index}`));
  validateSecrets(manifest.secrets);
  return manifest as unknown as Manifest;
}

function validateEntries(value: unknown): void {
  const entries = expectArray(value, '/entries') as ManifestEntry[];
  const keys = new Set<string>();
  entries.forEach((item, index) => validateEntry(item, index, keys));
  if (!entries.some((entry) => entry.aliasOf !== undefined)) return;
  const byPath = new Map(entries.map((entry) => [entry.path, entry]));
  checkAliases(entries, (path) => byPath.get(path));
}

/** One listed entry's shape; `keys` holds the paths seen so far (a path is listed once). */
function validateEntry(item: unknown, index: number, keys: { has(key: string): boolean; add(key: string): unknown }): ManifestEntry {
  const at = `/entries/${index}`;
  const entry = expectObject(item, at);
  const path = expectString(entry.path, `${at}/path`);
  const problem = entryPathProblem(path);
  if (problem) throw violation(`${at}/path`, problem);
  if (path === MANIFEST_PATH) throw violation(`${at}/path`, 'must not list the manifest itself');
  if (keys.has(entryPathKey(path))) throw violation(`${at}/path`, `"${path}" is listed twice`);
  keys.add(entryPathKey(path));
  expectOneOf(entry.type, ENTRY_TYPES, `${at}/type`);
  if (entry.uuid !== undefined) expectString(entry.uuid, `${at}/uuid`);
  if (entry.name !== undefined) expectString(entry.name, `${at}/name`, { allowEmpty: true });
  if (typeof entry.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(entry.sha256)) {
    throw violation(`${at}/sha256`, 'must be 64 lower-case hex digits');
  }
  if (!Number.isSafeInteger(entry.size) || (entry.size as number) < 0) {
    throw violation(`${at}/size`, 'must be a non-negative integer');
  }
  if (entry.aliasOf !== undefined) expectString(entry.aliasOf, `${at}/aliasOf`);
  return entry as unknown as ManifestEntry;
}

/** A copy (aliasOf) must name another listed entry of its type, with the same bytes. */
function checkAliases(copies: Iterable<ManifestEntry & { index?: number }>, byPath: (path: string) => ManifestEntry | undefined): void {
  let position = 0;
  for (const entry of copies) {
    const index = entry.index ?? position;
    position++;
    if (entry.aliasOf === undefined) continue;
    const target = byPath(entry.aliasOf);
    if (!target || target.aliasOf !== undefined || target.type !== entry.type) {
      throw violation(`/entries/${index}/aliasOf`, 'must name another listed entry of the same type');
    }
    if (target.sha256 !== entry.sha256 || target.size !== entry.size) {
      throw violation(`/entries/${index}/aliasOf`, 'a copy must have the same sha256 and size as its original');
    }
  }
}

/**
 * parseManifest for a reader of big archives: the same checks, but the entry list is
 * parsed one entry at a time (its extent found by scanTopLevelList) and each entry handed
 * to `onEntry` and let go, so a 100,000-entry list never exists as objects all at once
 * (at that size, ~100 MB of them while an import opens its archive). The manifest comes
 * back without its list.
 */
export function parseManifestEntries(
  bytes: Buffer,
  onEntry: (entry: ManifestEntry) => void,
  /** Told the list's entry count and JSON bytes before the first entry (to size what takes them). */
  onListFound?: (count: number, listBytes: number) => void,
): { head: Omit<Manifest, 'entries'>; copies: ListedCopy[] } {
  const list = malformedIfThrows(() => scanTopLevelList(bytes, 'entries'));
  if (!list) {
    // Not an object with an entry list: parseManifest says what is wrong (or takes a tiny odd one).
    const { entries, ...head } = parseManifest(bytes);
    entries.forEach((entry) => onEntry(entry));
    return { head, copies: entries.flatMap((entry, index) => (entry.aliasOf !== undefined ? [{ ...entry, index }] : [])) };
  }
  // Everything but the list, parsed and checked first (format and version before the entries, as parseManifest does).
  const raw = malformedIfThrows(() => JSON.parse(bytes.toString('utf8', 0, list.open + 1) + bytes.toString('utf8', list.close)) as unknown);
  if (!isPlainObject(raw)) throw violation('', 'must be an object');
  if (raw.format !== ARCHIVE_FORMAT) throw violation('/format', `must be "${ARCHIVE_FORMAT}"`);
  const version = checkFormatVersion(raw.formatVersion);
  // Folded paths as bytes outside the heap: a Set of 200,000 path strings held while the list is parsed was ~20 MB of heap.
  const keys = new ByteKeySet(list.count, Math.ceil((list.close - list.open) / 3));
  const copies: ListedCopy[] = [];
  onListFound?.(list.count, list.close - list.open);
  for (let index = 0; index < list.count; index++) {
    const item = malformedIfThrows(() => JSON.parse(bytes.toString('utf8', list.bounds[2 * index], list.bounds[2 * index + 1])) as unknown);
    const entry = validateEntry(item, index, keys);
    if (entry.aliasOf !== undefined) copies.push({ ...entry, index });
    onEntry(entry);
  }
  const { entries: _entries, ...head } = validateManifest(upgradeManifest({ ...raw, entries: [] }, version));
  // The copies are checked against their originals by the caller, which holds the list.
  return { head, copies };
}

function malformedIfThrows<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ArchiveRejected) throw error;
    throw new ArchiveRejected('malformed-json', `not valid JSON: ${(error as Error).message}`, MANIFEST_PATH, { cause: error });
  }
}

/** A listed entry that is a copy of another (aliasOf), with its place in the list. */
export type ListedCopy = ManifestEntry & { index: number };

/** Checks copies (from parseManifestEntries) against the listed entries, looked up by path. */
export function checkListedCopies(copies: readonly ListedCopy[], byPath: (path: string) => ManifestEntry | undefined): void {
  checkAliases(copies, byPath);
}

function validateEdge(value: unknown, at: string): void {
  const edge = expectObject(value, at);
  for (const end of ['from', 'to'] as const) {
    const ref = expectObject(edge[end], `${at}/${end}`);
    expectOneOf(ref.type, ASSET_TYPES, `${at}/${end}/type`);
    expectString(ref.uuid, `${at}/${end}/uuid`);
  }
  if (typeof edge.required !== 'boolean') throw violation(`${at}/required`, 'must be a boolean');
}

/** Bounds on scrypt parameters read from an archive, so a manifest cannot make the KDF a denial of service. */
export const SCRYPT_BOUNDS = Object.freeze({ maxN: 2 ** 20, maxR: 32, maxP: 16, maxMemoryBytes: 1024 ** 3 });

function validateSecrets(value: unknown): void {
  const secrets = expectObject(value, '/secrets');
  const mode = expectOneOf(secrets.mode, ['sealed', 'omitted', 'none'] as const, '/secrets/mode');
  if (mode === 'none') return;
  if (mode === 'omitted') {
    expectArray(secrets.omitted, '/secrets/omitted').forEach((item, index) => {
      const at = `/secrets/omitted/${index}`;
      const omitted = expectObject(item, at);
      expectOneOf(omitted.type, ASSET_TYPES, `${at}/type`);
      expectString(omitted.name, `${at}/name`, { allowEmpty: true });
      expectString(omitted.field, `${at}/field`);
    });
    return;
  }
  if (secrets.cipher !== 'aes-256-gcm') throw violation('/secrets/cipher', 'must be "aes-256-gcm"');
  const kdf = expectObject(secrets.kdf, '/secrets/kdf');
  if (kdf.name !== 'scrypt') throw violation('/secrets/kdf/name', 'must be "scrypt"');
  const salt = decodeBase64(kdf.salt);
  if (!salt || salt.length < 16 || salt.length > 64) throw violation('/secrets/kdf/salt', 'must be 16 to 64 bytes of base64');
  const { N, r, p } = kdf;
  if (!isInteger(N, 2, SCRYPT_BOUNDS.maxN) || (N & (N - 1)) !== 0) {
    throw violation('/secrets/kdf/N', `must be a power of two up to ${SCRYPT_BOUNDS.maxN}`);
  }
  if (!isInteger(r, 1, SCRYPT_BOUNDS.maxR)) throw violation('/secrets/kdf/r', `must be 1 to ${SCRYPT_BOUNDS.maxR}`);
  if (!isInteger(p, 1, SCRYPT_BOUNDS.maxP)) throw violation('/secrets/kdf/p', `must be 1 to ${SCRYPT_BOUNDS.maxP}`);
  if (128 * N * r > SCRYPT_BOUNDS.maxMemoryBytes) throw violation('/secrets/kdf', 'needs too much memory (128·N·r)');
  if (!isSealedValue(secrets.check)) throw violation('/secrets/check', 'must be a sealed value');
}

function isInteger(value: unknown, min: number, max: number): value is number {
  return Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max;
}

function violation(pointer: string, problem: string): ArchiveRejected {
  return new ArchiveRejected('schema-violation', `${pointer || '/'} ${problem}`, MANIFEST_PATH);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function expectObject(value: unknown, at: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw violation(at, 'must be an object');
  return value;
}

function expectArray(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) throw violation(at, 'must be an array');
  return value;
}

function expectString(value: unknown, at: string, { allowEmpty = false } = {}): string {
  if (typeof value !== 'string' || (!allowEmpty && value === '')) {
    throw violation(at, allowEmpty ? 'must be a string' : 'must be a non-empty string');
  }
  return value;
}

function expectOneOf<const T extends readonly string[]>(value: unknown, allowed: T, at: string): T[number] {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw violation(at, `must be one of ${allowed.map((item) => `"${item}"`).join(', ')}`);
  }
  return value as T[number];
}
