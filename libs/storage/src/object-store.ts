import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';

export interface S3Settings {
  /** Omitted for AWS itself; set for Ceph RGW, MinIO and the like. */
  endpoint?: string;
  /**
   * Put into presigned URLs instead of `endpoint` (clients reach the store at another
   * address than the service). The signature covers this host, so clients must send it as
   * the Host header, which they do when they connect to it.
   */
  presignEndpoint?: string;
  region: string;
  bucket: string;
  /** Omitted to use the SDK's default credential chain. */
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  /** Whether ensureBucket may create the bucket when it is missing. */
  createBucket: boolean;
}

export interface StoredObject {
  key: string;
  size: number;
  etag: string;
}

export interface ObjectInfo {
  size: number;
  etag: string;
  contentType?: string;
}

export interface PutStreamOptions {
  contentType?: string;
  /** Bytes per multipart part; memory held is about partSizeBytes × (queueSize + 1). */
  partSizeBytes?: number;
  queueSize?: number;
  signal?: AbortSignal;
  /** Called with the total bytes uploaded so far, after each part. */
  onProgress?(bytes: number): void;
}

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive (as in an HTTP Range header). */
  end: number;
}

export interface UploadedPart {
  partNumber: number;
  etag: string;
}

/** A part the store holds for an open multipart upload. */
export interface StoredPart extends UploadedPart {
  size: number;
}

export interface MultipartUploadRef {
  key: string;
  uploadId: string;
}

const DEFAULT_PART_SIZE_BYTES = 8 * 1024 * 1024;
const DEFAULT_QUEUE_SIZE = 2;
const DELETE_BATCH_SIZE = 1000;

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
]);
const TRANSIENT_S3_CODES = new Set(['SlowDown', 'RequestTimeout', 'InternalError', 'ServiceUnavailable', 'TimeoutError']);

/**
 * A failed object-store call. `code` is the S3 error name (`NoSuchKey`, `AccessDenied`, …), a
 * network error code, or `AbortError`; `transient` says whether trying again later can help
 * (5xx, throttling, network), which is what a worker needs to choose between retry and fail.
 */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: string;
  readonly transient: boolean;
  /** HTTP status of the S3 answer; undefined when none arrived. */
  readonly status: number | undefined;

  constructor(message: string, details: { code: string; transient: boolean; status?: number; cause?: unknown }) {
    super(message, { cause: details.cause });
    this.code = details.code;
    this.transient = details.transient;
    this.status = details.status;
  }

  /**
   * Wraps whatever an SDK call threw. Ceph answers errors with an empty `<Message>`, so the
   * message always names the code and the HTTP status.
   */
  static from(error: unknown, operation: string, key?: string): StorageError {
    if (error instanceof StorageError) return error;
    const subject = key ? `${operation} ${key}` : operation;
    const status = isSdkError(error) ? error.$metadata?.httpStatusCode : undefined;
    // The SDK attaches $metadata to network failures too; only an HTTP status means S3 answered.
    if (isSdkError(error) && status !== undefined) {
      const code = GENERIC_ERROR_NAMES.has(error.name) ? codeForStatus(status) : error.name;
      const detail = error.message && error.message !== code && !GENERIC_ERROR_NAMES.has(error.message) ? `: ${error.message}` : '';
      const transient = status >= 500 || status === 429 || TRANSIENT_S3_CODES.has(code);
      return new StorageError(`S3 ${subject} failed: ${code} (HTTP ${status})${detail}`, { code, transient, status, cause: error });
    }
    if (error instanceof Error) {
      if (error.name === 'AbortError') {
        return new StorageError(`S3 ${subject} aborted`, { code: 'AbortError', transient: false, cause: error });
      }
      const code = (error as NodeJS.ErrnoException).code ?? networkCodeIn(error.message) ?? error.name;
      const transient = NETWORK_ERROR_CODES.has(code) || error.name === 'TimeoutError';
      return new StorageError(`S3 ${subject} failed: ${code}: ${error.message}`, { code, transient, cause: error });
    }
    return new StorageError(`S3 ${subject} failed: ${String(error)}`, { code: 'Unknown', transient: false, cause: error });
  }
}

/**
 * The SDK replaces an error from another realm (a test runner's VM context) with a bare
 * Error holding only the text, `AWS SDK error wrapper for Error: connect ECONNREFUSED …`.
 */
function networkCodeIn(message: string): string | undefined {
  return message.match(/\bE[A-Z_]{3,}\b/g)?.find((word) => NETWORK_ERROR_CODES.has(word));
}

/** Names the SDK gives an error whose body named no code, as every HEAD error's has none. */
const GENERIC_ERROR_NAMES = new Set(['Error', 'Unknown', 'UnknownError']);

function codeForStatus(status: number): string {
  if (status === 403) return 'Forbidden';
  if (status === 404) return 'NotFound';
  return `Http${status}`;
}

interface SdkError extends Error {
  $metadata?: { httpStatusCode?: number };
}

/** Also matches errors from a second copy of the SDK, which fail `instanceof`. */
function isSdkError(error: unknown): error is SdkError {
  return error instanceof S3ServiceException || (error instanceof Error && '$metadata' in error);
}

function isNotFound(error: unknown): boolean {
  if (!isSdkError(error)) return false;
  return error.$metadata?.httpStatusCode === 404 || ['NotFound', 'NoSuchKey', 'NoSuchBucket'].includes(error.name);
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return Object.assign(new Error('Upload aborted', { cause: reason }), { name: 'AbortError' });
}

/**
 * `attachment` with an ASCII fallback name and the exact name in RFC 5987 form, so browsers
 * save the file under its real name whatever characters it holds.
 */
function attachmentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/**
 * The S3 bucket apiferry keeps archives in. Every SDK failure surfaces as a StorageError.
 */
export class ObjectStore {
  readonly s3: S3Client;
  /** Signs the URLs handed to clients: `s3` itself unless a presign endpoint is set. */
  private readonly presigner: S3Client;
  readonly bucket: string;
  private readonly createBucketAllowed: boolean;

  constructor(settings: S3Settings) {
    const config: S3ClientConfig = {
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      // The SDK's default aws-chunked uploads with trailing checksums are not understood by
      // older S3 servers (Ceph Pacific answers 411); archive integrity rests on the manifest.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    if (settings.endpoint !== undefined) config.endpoint = settings.endpoint;
    if (settings.accessKeyId !== undefined && settings.secretAccessKey !== undefined) {
      config.credentials = { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey };
    }
    this.s3 = new S3Client(config);
    this.presigner = settings.presignEndpoint !== undefined && settings.presignEndpoint !== settings.endpoint ? new S3Client({ ...config, endpoint: settings.presignEndpoint }) : this.s3;
    this.bucket = settings.bucket;
    this.createBucketAllowed = settings.createBucket;
  }

  async ensureBucket(): Promise<void> {
    try {
      await this.s3.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (error) {
      if (!isNotFound(error) || !this.createBucketAllowed) throw StorageError.from(error, 'HeadBucket', this.bucket);
    }
    try {
      await this.s3.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      // Another replica starting at the same moment may have won the race.
      if (isSdkError(error) && error.name === 'BucketAlreadyOwnedByYou') return;
      throw StorageError.from(error, 'CreateBucket', this.bucket);
    }
  }

  /** Throws a StorageError unless the bucket is reachable with these credentials. */
  async ping(): Promise<void> {
    await this.call('HeadBucket', this.bucket, () => this.s3.send(new HeadBucketCommand({ Bucket: this.bucket })));
  }

  /**
   * Streams `body` to `key` as a multipart upload, holding a bounded number of parts in
   * memory. On a source error, a failed part or an abort, the multipart upload is aborted
   * before this rejects, so neither the object nor an unfinished upload is left behind.
   */
  async putStream(key: string, body: Readable, opts: PutStreamOptions = {}): Promise<StoredObject> {
    const { signal } = opts;
    if (signal?.aborted) {
      body.destroy();
      throw StorageError.from(abortError(signal), 'Upload', key);
    }
    const upload = new Upload({
      client: this.s3,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: opts.contentType },
      partSize: opts.partSizeBytes ?? DEFAULT_PART_SIZE_BYTES,
      queueSize: opts.queueSize ?? DEFAULT_QUEUE_SIZE,
      leavePartsOnError: false,
    });
    if (opts.onProgress) {
      const onProgress = opts.onProgress;
      upload.on('httpUploadProgress', (progress) => onProgress(progress.loaded ?? 0));
    }
    // Upload.abort() settles done() at once while parts are still in flight and leaves the
    // multipart abort to run later, if at all (not when the source never yields again).
    // Failing the source instead makes done() settle only after its own cleanup has run.
    const onAbort = (): void => {
      body.destroy(abortError(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await upload.done();
    } catch (error) {
      throw StorageError.from(signal?.aborted ? abortError(signal) : error, 'Upload', key);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (signal?.aborted) {
      // The abort came after the last part, while the upload was being completed.
      await this.delete(key);
      throw StorageError.from(abortError(signal), 'Upload', key);
    }
    return this.stat(key);
  }

  async getStream(key: string, range?: ByteRange): Promise<Readable> {
    const output = await this.call('GetObject', key, () =>
      this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
      ),
    );
    if (!(output.Body instanceof Readable)) {
      throw new StorageError(`S3 GetObject ${key} failed: the response has no readable body`, { code: 'NoBody', transient: true });
    }
    return output.Body;
  }

  /** Undefined when there is no such object. */
  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const output = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      const info: ObjectInfo = { size: output.ContentLength ?? 0, etag: output.ETag ?? '' };
      if (output.ContentType !== undefined) info.contentType = output.ContentType;
      return info;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw StorageError.from(error, 'HeadObject', key);
    }
  }

  /** Deleting a missing key succeeds, as in S3. */
  async delete(key: string): Promise<void> {
    await this.call('DeleteObject', key, () => this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  /** Deletes every object whose key starts with `prefix`, which must not be empty. */
  async deletePrefix(prefix: string): Promise<void> {
    if (prefix === '') throw new Error('deletePrefix needs a non-empty prefix; it would empty the whole bucket');
    let batch: string[] = [];
    for await (const key of this.keys(prefix)) {
      batch.push(key);
      if (batch.length === DELETE_BATCH_SIZE) {
        await this.deleteBatch(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await this.deleteBatch(batch);
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const key of this.keys(prefix)) keys.push(key);
    return keys;
  }

  async presignGet(key: string, ttlSeconds: number, opts: { filename?: string } = {}): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentDisposition: opts.filename === undefined ? undefined : attachmentDisposition(opts.filename),
    });
    return this.call('PresignGet', key, () => getSignedUrl(this.presigner, command, { expiresIn: ttlSeconds }));
  }

  async createMultipartUpload(key: string, contentType?: string): Promise<string> {
    const output = await this.call('CreateMultipartUpload', key, () =>
      this.s3.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType })),
    );
    if (!output.UploadId) {
      throw new StorageError(`S3 CreateMultipartUpload ${key} failed: no UploadId in the answer`, { code: 'NoUploadId', transient: true });
    }
    return output.UploadId;
  }

  /** A URL a client PUTs one part's bytes to; the answer's ETag header is the part's etag. */
  async presignUploadPart(key: string, uploadId: string, partNumber: number, ttlSeconds: number): Promise<string> {
    const command = new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber });
    return this.call('PresignUploadPart', key, () => getSignedUrl(this.presigner, command, { expiresIn: ttlSeconds }));
  }

  async completeMultipartUpload(key: string, uploadId: string, parts: UploadedPart[]): Promise<StoredObject> {
    const sortedParts = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    try {
      await this.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: sortedParts.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })) },
        }),
      );
    } catch (error) {
      throw await this.explainCompleteFailure(error, key, uploadId);
    }
    // Ceph answers CompleteMultipartUpload with an empty ETag; HeadObject has the real one.
    return this.stat(key);
  }

  /**
   * The parts the store holds for an open multipart upload, by part number; undefined when
   * the store no longer knows the upload (completed, aborted or expired there).
   */
  async listParts(key: string, uploadId: string): Promise<StoredPart[] | undefined> {
    const parts: StoredPart[] = [];
    let marker: string | undefined;
    for (;;) {
      let page;
      try {
        page = await this.s3.send(new ListPartsCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }));
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw StorageError.from(error, 'ListParts', key);
      }
      for (const part of page.Parts ?? []) {
        if (part.PartNumber !== undefined && part.ETag !== undefined) parts.push({ partNumber: part.PartNumber, etag: part.ETag, size: part.Size ?? 0 });
      }
      if (!page.IsTruncated || page.NextPartNumberMarker === undefined) return parts.sort((a, b) => a.partNumber - b.partNumber);
      marker = page.NextPartNumberMarker;
    }
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    await this.call('AbortMultipartUpload', key, () =>
      this.s3.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })),
    );
  }

  async listMultipartUploads(prefix?: string): Promise<MultipartUploadRef[]> {
    const uploads: MultipartUploadRef[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await this.call('ListMultipartUploads', prefix, () =>
        this.s3.send(
          new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
        ),
      );
      for (const upload of page.Uploads ?? []) {
        if (upload.Key !== undefined && upload.UploadId !== undefined) uploads.push({ key: upload.Key, uploadId: upload.UploadId });
      }
      if (!page.IsTruncated) return uploads;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
  }

  close(): void {
    this.s3.destroy();
    if (this.presigner !== this.s3) this.presigner.destroy();
  }

  private async stat(key: string): Promise<StoredObject> {
    const info = await this.head(key);
    if (!info) {
      throw new StorageError(`S3 HeadObject ${key} failed: the object just written is missing`, { code: 'NoSuchKey', transient: true, status: 404 });
    }
    return { key, size: info.size, etag: info.etag };
  }

  private async *keys(prefix: string): AsyncGenerator<string> {
    let continuationToken: string | undefined;
    do {
      const page = await this.call('ListObjectsV2', prefix, () =>
        this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: continuationToken })),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined) yield object.Key;
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
  }

  private async deleteBatch(keys: string[]): Promise<void> {
    const output = await this.call('DeleteObjects', keys[0], () =>
      this.s3.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.map((key) => ({ Key: key })), Quiet: true } }),
      ),
    );
    const failed = output.Errors ?? [];
    if (failed.length > 0) {
      const first = failed[0];
      throw new StorageError(
        `S3 DeleteObjects failed for ${failed.length} of ${keys.length} keys, first ${first.Key}: ${first.Code ?? 'unknown'}`,
        { code: first.Code ?? 'DeleteFailed', transient: first.Code === 'InternalError' || first.Code === 'SlowDown' },
      );
    }
  }

  /**
   * Ceph answers CompleteMultipartUpload for an unknown upload id with a 500 (which the SDK
   * retries) rather than NoSuchUpload; ask ListParts to tell a gone upload from a server fault.
   */
  private async explainCompleteFailure(error: unknown, key: string, uploadId: string): Promise<StorageError> {
    const wrapped = StorageError.from(error, 'CompleteMultipartUpload', key);
    if (!wrapped.transient || wrapped.status === undefined) return wrapped;
    try {
      await this.s3.send(new ListPartsCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, MaxParts: 1 }));
      return wrapped;
    } catch (probeError) {
      if (!isNotFound(probeError)) return wrapped;
      return new StorageError(`S3 CompleteMultipartUpload ${key} failed: NoSuchUpload (upload ${uploadId} is unknown or was aborted)`, {
        code: 'NoSuchUpload',
        transient: false,
        status: 404,
        cause: error,
      });
    }
  }

  private async call<T>(operation: string, key: string | undefined, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw StorageError.from(error, operation, key);
    }
  }
}
