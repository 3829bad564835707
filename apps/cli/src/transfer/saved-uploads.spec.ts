import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { SavedUploads, savedUploadsPath, type SavedUpload } from './saved-uploads.js';

const upload = (over: Partial<SavedUpload> = {}): SavedUpload => ({
  server: 'http://127.0.0.1:8080',
  project: 'payments',
  file: '/data/payments.zip',
  size: 1000,
  mtimeMs: 1_700_000_000_000,
  uploadId: '11111111-1111-4111-8111-111111111111',
  savedAt: '2026-12-06T00:00:00.000Z',
  ...over,
});

describe('SavedUploads', () => {
  let dir: string;
  let saved: SavedUploads;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'apiferry-saved-'));
    saved = new SavedUploads(join(dir, 'state', 'uploads.json'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('finds an upload by server, project and file; another server or project is another upload', async () => {
    await saved.save(upload());
    await saved.save(upload({ project: 'orders', uploadId: '22222222-2222-4222-8222-222222222222' }));
    expect((await saved.find('http://127.0.0.1:8080', 'payments', '/data/payments.zip'))?.uploadId).toBe('11111111-1111-4111-8111-111111111111');
    expect((await saved.find('http://127.0.0.1:8080', 'orders', '/data/payments.zip'))?.uploadId).toBe('22222222-2222-4222-8222-222222222222');
    expect(await saved.find('http://127.0.0.1:9090', 'payments', '/data/payments.zip')).toBeUndefined();
  });

  it('a second save for the same file replaces the first; remove forgets only that file', async () => {
    await saved.save(upload());
    await saved.save(upload({ uploadId: '33333333-3333-4333-8333-333333333333' }));
    await saved.save(upload({ file: '/data/other.zip' }));
    expect((await saved.find('http://127.0.0.1:8080', 'payments', '/data/payments.zip'))?.uploadId).toBe('33333333-3333-4333-8333-333333333333');
    await saved.remove('http://127.0.0.1:8080', 'payments', '/data/payments.zip');
    expect(await saved.find('http://127.0.0.1:8080', 'payments', '/data/payments.zip')).toBeUndefined();
    expect(await saved.find('http://127.0.0.1:8080', 'payments', '/data/other.zip')).toBeDefined();
    expect(JSON.parse(await readFile(saved.path, 'utf8')).uploads).toHaveLength(1);
  });

  it('is readable by its owner only', async () => {
    await saved.save(upload());
    expect((await stat(saved.path)).mode & 0o777).toBe(0o600);
  });

  it('treats a damaged file or damaged entries as no saved uploads (a fresh upload, never a wrong one)', async () => {
    await saved.save(upload());
    await writeFile(saved.path, '{"uploads": [');
    expect(await saved.find('http://127.0.0.1:8080', 'payments', '/data/payments.zip')).toBeUndefined();
    await writeFile(saved.path, JSON.stringify({ uploads: [{ ...upload(), size: 'big' }] }));
    expect(await saved.find('http://127.0.0.1:8080', 'payments', '/data/payments.zip')).toBeUndefined();
  });

  it('lives under $XDG_STATE_HOME, else ~/.local/state', () => {
    expect(savedUploadsPath({ XDG_STATE_HOME: '/var/state' })).toBe('/var/state/apiferry/uploads.json');
    expect(savedUploadsPath({})).toMatch(/\.local\/state\/apiferry\/uploads\.json$/);
  });
});
