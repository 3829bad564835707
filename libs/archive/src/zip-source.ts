import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { PassThrough, Readable, pipeline } from 'node:stream';

/** Random access to an archive's bytes: what the reader needs from where the archive lives. */
export interface ArchiveByteSource {
  /** Total bytes. */
  size(): Promise<number>;
  /** Bytes [offset, offset + length), or to the end when length is omitted. */
  stream(offset: number, length?: number): Readable | Promise<Readable>;
}

/** An archive in object storage, read with ranged GETs pinned to the ETag seen first. */
export interface S3ArchiveLocation {
  s3: S3Client;
  bucket: string;
  key: string;
}

/** A local file path, an S3 object, or any ranged byte source (e.g. the storage library's). */
export type ArchiveSource = string | S3ArchiveLocation | ArchiveByteSource;

const SOURCE_FAILURE = Symbol('apiferry.archive.sourceFailure');

/**
 * Marks an error as a failure to read the bytes (file system, network, S3), not a
 * problem with the archive's content, so it is passed on as it is (and may be retried)
 * rather than turned into ArchiveRejected.
 */
export function markSourceFailure<T>(error: T): T {
  if (typeof error === 'object' && error !== null) {
    Object.defineProperty(error, SOURCE_FAILURE, { value: true, enumerable: false });
  }
  return error;
}

export function isSourceFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && SOURCE_FAILURE in error;
}

export function toByteSource(source: ArchiveSource): ArchiveByteSource {
  if (typeof source === 'string') return fileSource(source);
  if ('s3' in source) return s3Source(source);
  return source;
}

export function fileSource(path: string): ArchiveByteSource {
  return {
    size: async () => {
      try {
        return (await stat(path)).size;
      } catch (error) {
        throw markSourceFailure(error);
      }
    },
    stream: (offset, length) => {
      if (length === 0) return Readable.from([]);
      const stream = createReadStream(path, { start: offset, end: length === undefined ? undefined : offset + length - 1 });
      return stream.on('error', markSourceFailure);
    },
  };
}

export function s3Source({ s3, bucket, key }: S3ArchiveLocation): ArchiveByteSource {
  // Every range is read from the version whose size we saw: an object overwritten
  // mid-read answers 412 instead of mixing two archives' bytes.
  let etag: string | undefined;
  return {
    size: async () => {
      try {
        const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        etag = head.ETag || undefined;
        return head.ContentLength ?? 0;
      } catch (error) {
        throw markSourceFailure(error);
      }
    },
    stream: (offset, length) => {
      const output = new PassThrough();
      if (length === 0) return output.end();
      const abort = new AbortController();
      output.once('close', () => abort.abort());
      const range = `bytes=${offset}-${length === undefined ? '' : offset + length - 1}`;
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range, IfMatch: etag }), {
        abortSignal: abort.signal,
      }).then(
        (response) => {
          pipeline(response.Body as Readable, output, (error) => {
            if (error && !output.destroyed) output.destroy(markSourceFailure(error));
          });
        },
        (error: unknown) => {
          if (!output.destroyed) output.destroy(markSourceFailure(error as Error));
        },
      );
      return output;
    },
  };
}

/** source.stream() as a Readable at once, failures marked as source failures. */
export function openRange(source: ArchiveByteSource, offset: number, length?: number): Readable {
  const opened = source.stream(offset, length);
  if (opened instanceof Readable) return opened;
  const output = new PassThrough();
  opened.then(
    (stream) => {
      pipeline(stream, output, (error) => {
        if (error && !output.destroyed) output.destroy(markSourceFailure(error));
      });
    },
    (error: unknown) => output.destroy(markSourceFailure(error as Error)),
  );
  return output;
}

export async function readRange(source: ArchiveByteSource, offset: number, length: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of openRange(source, offset, length)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
