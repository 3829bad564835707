import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createCipheriv, createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Readable } from 'node:stream';
import { ObjectStore, StorageError, type S3Settings } from '#storage';
import { startCephRgw, type CephRgw } from './support/ceph-rgw.js';

const MiB = 1024 * 1024;
const CONTENT_KEY = Buffer.alloc(16, 7);

/**
 * Deterministic, non-repeating bytes addressable by offset (AES-CTR keystream), so a test can
 * stream tens of MiB without holding them and still know what any range must contain.
 */
function contentAt(offset: number, length: number): Buffer {
  const firstBlock = Math.floor(offset / 16);
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(BigInt(firstBlock), 8);
  const skip = offset - firstBlock * 16;
  const cipher = createCipheriv('aes-128-ctr', CONTENT_KEY, iv);
  return cipher.update(Buffer.alloc(skip + length)).subarray(skip);
}

const CHUNK_BYTES = 256 * 1024;

/** A source that produces `size` bytes on demand; with `failAt` or `stallAt` it errors or goes silent there. */
function contentStream(size: number, opts: { failAt?: number; stallAt?: number } = {}): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (opts.failAt !== undefined && offset >= opts.failAt) {
        this.destroy(new Error('source broke midway'));
        return;
      }
      if (opts.stallAt !== undefined && offset >= opts.stallAt) return;
      if (offset >= size) {
        this.push(null);
        return;
      }
      const length = Math.min(CHUNK_BYTES, size - offset);
      this.push(contentAt(offset, length));
      offset += length;
    },
  });
}

function contentSha256(size: number): string {
  const hash = createHash('sha256');
  for (let offset = 0; offset < size; offset += CHUNK_BYTES) hash.update(contentAt(offset, Math.min(CHUNK_BYTES, size - offset)));
  return hash.digest('hex');
}

async function sha256Of(stream: AsyncIterable<Uint8Array>): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { sha256: hash.digest('hex'), size };
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('ObjectStore against Ceph RADOS Gateway', () => {
  let rgw: CephRgw;
  let settings: S3Settings;
  let store: ObjectStore;

  beforeAll(async () => {
    rgw = await startCephRgw();
    settings = {
      endpoint: rgw.endpoint,
      region: rgw.region,
      bucket: `apiferry-${randomUUID()}`,
      accessKeyId: rgw.accessKeyId,
      secretAccessKey: rgw.secretAccessKey,
      forcePathStyle: true,
      createBucket: true,
    };
    store = new ObjectStore(settings);
    await store.ensureBucket();
  });

  afterAll(async () => {
    store?.close();
    await rgw?.stop();
  });

  it('ensureBucket creates a missing bucket, is idempotent, and refuses to create when not allowed', async () => {
    const created = new ObjectStore({ ...settings, bucket: `apiferry-${randomUUID()}` });
    const forbidden = new ObjectStore({ ...settings, bucket: `apiferry-${randomUUID()}`, createBucket: false });
    try {
      await expect(created.ping()).rejects.toBeInstanceOf(StorageError);
      await created.ensureBucket();
      await created.ensureBucket();
      await expect(created.ping()).resolves.toBeUndefined();

      const error = await rejection(forbidden.ensureBucket());
      expect(error).toBeInstanceOf(StorageError);
      expect(error).toMatchObject({ code: 'NotFound', status: 404, transient: false });
    } finally {
      created.close();
      forbidden.close();
    }
  });

  it('putStream uploads a 20 MiB stream in parts and reads back identical bytes', async () => {
    const key = `put-${randomUUID()}/archive.zip`;
    const size = 20 * MiB;
    const progress: number[] = [];

    const stored = await store.putStream(key, contentStream(size), {
      contentType: 'application/zip',
      onProgress: (bytes) => progress.push(bytes),
    });

    expect(stored).toMatchObject({ key, size });
    // 8 MiB parts: a multipart ETag names its part count.
    expect(stored.etag).toMatch(/^"[0-9a-f]{32}-3"$/);
    expect(progress.at(-1)).toBe(size);
    await expect(store.head(key)).resolves.toEqual({ size, etag: stored.etag, contentType: 'application/zip' });
    await expect(sha256Of(await store.getStream(key))).resolves.toEqual({ sha256: contentSha256(size), size });
  });

  it('a ranged get returns exactly the requested bytes with 206, across a part boundary', async () => {
    const key = `range-${randomUUID()}/blob`;
    const size = 12 * MiB;
    await store.putStream(key, contentStream(size), { partSizeBytes: 5 * MiB });
    const range = { start: 5 * MiB - 100, end: 5 * MiB + 99 };

    const bytes = await readAll(await store.getStream(key, range));

    expect(bytes.equals(contentAt(range.start, 200))).toBe(true);
    const raw = await store.s3.send(new GetObjectCommand({ Bucket: store.bucket, Key: key, Range: `bytes=${range.start}-${range.end}` }));
    expect(raw.$metadata.httpStatusCode).toBe(206);
    expect(raw.ContentRange).toBe(`bytes ${range.start}-${range.end}/${size}`);
    await raw.Body?.transformToByteArray();
  });

  it('a presigned GET URL serves the object to a plain HTTP client, as an attachment when named', async () => {
    const key = `presign-${randomUUID()}/export.zip`;
    const size = 3 * MiB + 17;
    await store.putStream(key, contentStream(size));

    const plain = await fetch(await store.presignGet(key, 60));
    expect(plain.status).toBe(200);
    expect(createHash('sha256').update(Buffer.from(await plain.arrayBuffer())).digest('hex')).toBe(contentSha256(size));

    const named = await fetch(await store.presignGet(key, 60, { filename: 'catalog "Q1" été.zip' }));
    expect(named.status).toBe(200);
    expect(named.headers.get('content-disposition')).toBe(
      `attachment; filename="catalog _Q1_ _t_.zip"; filename*=UTF-8''catalog%20%22Q1%22%20%C3%A9t%C3%A9.zip`,
    );
    await named.arrayBuffer();
  });

  it('an upload whose source errors midway rejects and leaves no object and no multipart upload', async () => {
    const prefix = `broken-${randomUUID()}/`;

    const error = await rejection(store.putStream(`${prefix}archive.zip`, contentStream(30 * MiB, { failAt: 12 * MiB }), { partSizeBytes: 5 * MiB }));

    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).transient).toBe(false);
    expect(((error as StorageError).cause as Error).message).toBe('source broke midway');
    await expect(store.list(prefix)).resolves.toEqual([]);
    await expect(store.listMultipartUploads(prefix)).resolves.toEqual([]);
  });

  it('an aborted upload rejects with AbortError and leaves nothing, even while its source is stalled', async () => {
    const prefix = `aborted-${randomUUID()}/`;
    const controller = new AbortController();

    const error = await rejection(
      store.putStream(`${prefix}archive.zip`, contentStream(30 * MiB, { stallAt: 7 * MiB }), {
        partSizeBytes: 5 * MiB,
        signal: controller.signal,
        // Abort once a part is stored, so a multipart upload exists to be cleaned up.
        onProgress: () => controller.abort(),
      }),
    );

    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ code: 'AbortError', transient: false });
    await expect(store.list(prefix)).resolves.toEqual([]);
    await expect(store.listMultipartUploads(prefix)).resolves.toEqual([]);
  });

  it('a client upload through presigned part URLs completes into one object', async () => {
    const key = `client-${randomUUID()}/upload.zip`;
    const partSizes = [5 * MiB, 1024];
    const uploadId = await store.createMultipartUpload(key, 'application/zip');
    await expect(store.listMultipartUploads(key)).resolves.toEqual([{ key, uploadId }]);

    const parts = [];
    let offset = 0;
    for (const [index, partSize] of partSizes.entries()) {
      const url = await store.presignUploadPart(key, uploadId, index + 1, 60);
      const response = await fetch(url, { method: 'PUT', body: contentAt(offset, partSize) });
      expect(response.status).toBe(200);
      parts.push({ partNumber: index + 1, etag: response.headers.get('etag') ?? '' });
      offset += partSize;
    }
    const stored = await store.completeMultipartUpload(key, uploadId, parts.reverse());

    expect(stored).toMatchObject({ key, size: offset });
    expect(stored.etag).toMatch(/-2"$/);
    await expect(store.head(key)).resolves.toMatchObject({ size: offset, contentType: 'application/zip' });
    await expect(sha256Of(await store.getStream(key))).resolves.toEqual({ sha256: contentSha256(offset), size: offset });
    await expect(store.listMultipartUploads(key)).resolves.toEqual([]);
  });

  it('an aborted client upload disappears and can no longer be completed', async () => {
    const key = `client-abort-${randomUUID()}/upload.zip`;
    const uploadId = await store.createMultipartUpload(key);

    await store.abortMultipartUpload(key, uploadId);

    await expect(store.listMultipartUploads(key)).resolves.toEqual([]);
    const error = await rejection(store.completeMultipartUpload(key, uploadId, [{ partNumber: 1, etag: '"0"' }]));
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ code: 'NoSuchUpload', transient: false });
    await expect(store.head(key)).resolves.toBeUndefined();
  });

  it('head answers undefined and getStream NoSuchKey for a missing object', async () => {
    const key = `missing-${randomUUID()}`;

    await expect(store.head(key)).resolves.toBeUndefined();
    const error = await rejection(store.getStream(key));
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ code: 'NoSuchKey', status: 404, transient: false });
    expect((error as Error).message).toContain('NoSuchKey (HTTP 404)');
  });

  it('deletePrefix removes every object under the prefix and nothing else', async () => {
    const prefix = `tree-${randomUUID()}/`;
    const keep = `${prefix.slice(0, -1)}-sibling`;
    const keys = Array.from({ length: 5 }, (_, i) => `${prefix}${i % 2 ? 'a/' : ''}file-${i}`);
    await Promise.all([...keys, keep].map((key) => store.putStream(key, Readable.from([Buffer.from(key)]))));
    await expect(store.list(prefix)).resolves.toEqual([...keys].sort());

    await store.deletePrefix(prefix);

    await expect(store.list(prefix)).resolves.toEqual([]);
    await expect(store.list(keep)).resolves.toEqual([keep]);
    await store.delete(keep);
    await store.delete(keep);
    await expect(store.head(keep)).resolves.toBeUndefined();
  });

  it('a wrong secret fails with a permanent StorageError', async () => {
    const intruder = new ObjectStore({ ...settings, secretAccessKey: `${settings.secretAccessKey}x` });
    try {
      const pingError = await rejection(intruder.ping());
      expect(pingError).toBeInstanceOf(StorageError);
      expect(pingError).toMatchObject({ code: 'Forbidden', status: 403, transient: false });

      const listError = await rejection(intruder.list(''));
      expect(listError).toBeInstanceOf(StorageError);
      expect(listError).toMatchObject({ code: 'SignatureDoesNotMatch', status: 403, transient: false });
      expect((listError as Error).message).toContain('SignatureDoesNotMatch (HTTP 403)');
    } finally {
      intruder.close();
    }
  });

  it('an unreachable endpoint fails with a transient StorageError', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const unreachable = new ObjectStore({ ...settings, endpoint: `http://127.0.0.1:${port}` });
    try {
      const error = await rejection(unreachable.ping());
      expect(error).toBeInstanceOf(StorageError);
      expect(error).toMatchObject({ code: 'ECONNREFUSED', status: undefined, transient: true });
    } finally {
      unreachable.close();
    }
  });
});
