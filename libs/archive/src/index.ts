export { ArchiveRejected, isArchiveRejected, type ArchiveRejectedReason } from './errors.js';
export {
  DEFAULT_ARCHIVE_LIMITS,
  InflatedTotal,
  LimitedInflateCounter,
  resolveLimits,
  type ArchiveLimits,
  type InflateCounterOptions,
} from './limits.js';
export { SAFE_NAME_MAX_BYTES, SafeNameAllocator, safeName, truncateUtf8 } from './safe-name.js';
export { entryPathProblem } from './entry-path.js';
export {
  ARCHIVE_FORMAT,
  ASSET_DIRECTORIES,
  ASSET_TYPES,
  CURRENT_FORMAT_VERSION,
  ENTRY_TYPES,
  MANIFEST_PATH,
  RESOURCE_DIRECTORY,
  SUPPORTED_FORMAT_MAJOR,
  checkFormatVersion,
  parseManifest,
  upgradeManifest,
  validateManifest,
  type ArchiveOrigin,
  type AssetRef,
  type AssetType,
  type DependencyEdge,
  type EntryType,
  type FormatVersion,
  type Manifest,
  type ManifestEntry,
  type ManifestSecrets,
  type OmittedSecret,
  type ScryptKdf,
  type SealedSecrets,
} from './manifest.js';
export { isSealedValue, type SealedValue } from './sealed-value.js';
export { SCRYPT_DEFAULTS, SecretSealer, secretAad } from './secret-sealing.js';
export { parseJsonEntry, serializeJsonEntry } from './json-entry.js';
export { ArchiveWriter, type ArchiveWriteResult, type ArchiveWriterOptions, type WrittenEntry } from './archive-writer.js';
export {
  ArchiveReader,
  type ArchiveReaderOptions,
  type ManifestHead,
  type VerifyAllOptions,
  type VerifyAllResult,
} from './archive-reader.js';
export { readCentralDirectory, type CentralDirectory, type CentralEntry } from './zip-directory.js';
export {
  fileSource,
  isSourceFailure,
  s3Source,
  type ArchiveByteSource,
  type ArchiveSource,
  type S3ArchiveLocation,
} from './zip-source.js';
// Test fixtures: hostile archives (and the raw ZIP builder that makes them) for suites
// that drive the import path end to end.
export { hostileArchives, buildRawZip, type HostileArchive, type RawZipEntry } from './hostile-archives.js';
export * as HostileArchives from './hostile-archives.js';
