export type ArchiveRejectedReason =
  | 'not-a-zip'
  | 'corrupt'
  | 'truncated'
  | 'path-unsafe'
  | 'symlink'
  | 'duplicate-entry'
  | 'encrypted-entry'
  | 'too-many-entries'
  | 'entry-too-large'
  | 'total-too-large'
  | 'compression-ratio'
  | 'tampered'
  | 'unlisted-entry'
  | 'missing-entry'
  | 'unsupported-format-version'
  | 'malformed-json'
  | 'schema-violation'
  | 'wrong-passphrase'
  | 'missing-manifest';

/**
 * An archive (or one of its entries) that apiferry refuses to read. Always permanent: a
 * retry reads the same bytes. The message is safe to show a client: it names the reason
 * and the entry, never a server path.
 */
export class ArchiveRejected extends Error {
  readonly permanent = true;

  constructor(
    readonly reason: ArchiveRejectedReason,
    readonly detail: string,
    readonly entry?: string,
    options?: { cause?: unknown },
  ) {
    super(
      entry === undefined
        ? `archive rejected (${reason}): ${detail}`
        : `archive rejected (${reason}): entry ${JSON.stringify(entry)}: ${detail}`,
      options,
    );
    this.name = 'ArchiveRejected';
  }
}

export function isArchiveRejected(error: unknown): error is ArchiveRejected {
  return error instanceof ArchiveRejected;
}
