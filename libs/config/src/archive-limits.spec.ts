import { describe, expect, it } from '@jest/globals';
import { loadConfig } from './config.js';

describe('ARCHIVE_* limits', () => {
  it('leaves every limit to the archive library unless the operator sets it', () => {
    expect(loadConfig({}).archive.limits).toEqual({
      maxEntries: undefined,
      maxJsonEntryBytes: undefined,
      maxManifestBytes: undefined,
      maxResourceEntryBytes: undefined,
      maxTotalBytes: undefined,
      maxCompressionRatio: undefined,
    });
  });

  it('takes whole numbers within bounds and refuses anything else by name', () => {
    const limits = loadConfig({ ARCHIVE_MAX_ENTRIES: '500000', ARCHIVE_MAX_TOTAL_BYTES: String(64 * 1024 ** 3), ARCHIVE_MAX_COMPRESSION_RATIO: '500' }).archive.limits;
    expect(limits).toMatchObject({ maxEntries: 500_000, maxTotalBytes: 64 * 1024 ** 3, maxCompressionRatio: 500 });
    for (const [name, value] of [['ARCHIVE_MAX_ENTRIES', '0'], ['ARCHIVE_MAX_ENTRIES', 'many'], ['ARCHIVE_MAX_COMPRESSION_RATIO', '1.5']]) {
      expect(() => loadConfig({ [name as string]: value as string })).toThrow(name as string);
    }
  });
});
