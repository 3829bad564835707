import { describe, expect, it } from '@jest/globals';
import { loadConfig } from './config.js';

describe('S3_PRESIGN_ENDPOINT', () => {
  it('is unset unless given, and taken as given when it is an http(s) origin', () => {
    expect(loadConfig({ S3_ENDPOINT: 'http://rgw.internal:7480' }).s3).toMatchObject({ endpoint: 'http://rgw.internal:7480', presignEndpoint: undefined });
    expect(loadConfig({ S3_ENDPOINT: 'http://rgw.internal:7480', S3_PRESIGN_ENDPOINT: 'https://s3.example.com' }).s3.presignEndpoint).toBe('https://s3.example.com');
  });

  it('refuses a path, a query, credentials or another scheme', () => {
    for (const bad of ['https://s3.example.com/bucket', 'https://s3.example.com/?x=1', 'https://u:p@s3.example.com', 'ftp://s3.example.com', 'not a url']) {
      expect(() => loadConfig({ S3_PRESIGN_ENDPOINT: bad })).toThrow(/S3_PRESIGN_ENDPOINT/);
    }
  });
});
