import { describe, expect, it } from '@jest/globals';
import { ArchiveRejected, isArchiveRejected } from './errors.js';

describe('ArchiveRejected', () => {
  it('carries the reason and names the entry in its message', () => {
    const error = new ArchiveRejected('path-unsafe', "the name has a '..' path segment", '../evil.json');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ArchiveRejected');
    expect(error.reason).toBe('path-unsafe');
    expect(error.entry).toBe('../evil.json');
    expect(error.permanent).toBe(true);
    expect(error.message).toBe(`archive rejected (path-unsafe): entry "../evil.json": the name has a '..' path segment`);
    expect(isArchiveRejected(error)).toBe(true);
  });

  it('reads without an entry for archive-wide problems', () => {
    expect(new ArchiveRejected('not-a-zip', 'the file is not a ZIP archive').message).toBe(
      'archive rejected (not-a-zip): the file is not a ZIP archive',
    );
  });
});
