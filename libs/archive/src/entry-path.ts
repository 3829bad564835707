// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
const DRIVE_LETTER = /^[A-Za-z]:/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Why `path` is not a safe archive entry path, or undefined when it is. Safe means a
 * relative path of plain segments that lands inside any extraction directory on any OS:
 * no absolute path, drive letter, backslash, `.`/`..` or empty segment, colon (a drive or
 * an NTFS stream) or control character. A directory entry's one trailing `/` is allowed
 * when `directory` is set.
 */
export function entryPathProblem(path: string, { directory = false } = {}): string | undefined {
  if (path === '') return 'the name is empty';
  if (CONTROL_CHARACTERS.test(path)) return 'the name contains a control character';
  if (path.startsWith('/') || path.startsWith('\\')) return 'the name is an absolute path';
  if (DRIVE_LETTER.test(path)) return 'the name starts with a drive letter';
  if (path.includes('\\')) return 'the name contains a backslash';
  if (path.includes(':')) return 'the name contains a colon';
  const body = directory && path.endsWith('/') ? path.slice(0, -1) : path;
  for (const segment of body.split('/')) {
    if (segment === '') return 'the name has an empty path segment';
    if (segment === '.' || segment === '..') return `the name has a '${segment}' path segment`;
  }
  return undefined;
}

/** The name's bytes decoded as UTF-8, or undefined when they are not valid UTF-8. */
export function decodeEntryName(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Key under which two names count as the same file once extracted (case and Unicode form folded). */
export function entryPathKey(path: string): string {
  return path.normalize('NFC').toLowerCase();
}
