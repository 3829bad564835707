import { Transform, type TransformCallback } from 'node:stream';
import { PayloadTooLargeError, ValidationError } from '#core';

const ZIP_MAGIC = [Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('PK\x05\x06', 'latin1')];

/** What an import upload may be, by its file name: a ZIP, or one OpenAPI document (JSON or YAML). */
export type UploadFileKind = 'zip' | 'document';

export function startsLikeZip(head: Buffer): boolean {
  return ZIP_MAGIC.some((magic) => magic.equals(head.subarray(0, 4)));
}

/**
 * The kind of file an import upload's name announces: `.zip` (an apiferry archive or a ZIP
 * of a multi-file OpenAPI description), or `.json` / `.yaml` / `.yml` (one OpenAPI document).
 */
export function uploadFileKind(fileName: string, pointer = '/file'): UploadFileKind {
  if (/\.zip$/i.test(fileName)) return 'zip';
  if (/\.(json|ya?ml)$/i.test(fileName)) return 'document';
  throw new ValidationError(`The file "${fileName}" is neither a .zip (an archive or a multi-file OpenAPI description) nor a .json, .yaml or .yml OpenAPI document.`, [
    { pointer, detail: 'must be a .zip, .json, .yaml or .yml file' },
  ]);
}

/**
 * Passes an upload through on its way to the object store, failing it as soon as its size
 * passes the cap or, for a .zip, its first bytes are not a ZIP signature. Nothing is
 * buffered. A document's content is judged by the worker (it may have to read all of it to
 * find `openapi` or `swagger`); here it only has to be non-empty and within the cap.
 */
export class UploadGuard extends Transform {
  bytes = 0;
  private head = Buffer.alloc(0);

  constructor(
    private readonly maxBytes: number,
    private readonly kind: UploadFileKind = 'zip',
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      const what = this.kind === 'zip' ? 'archive' : 'OpenAPI document';
      return callback(new PayloadTooLargeError(`The ${what} is larger than the ${this.maxBytes}-byte limit for ${this.kind === 'zip' ? 'uploads through the API; use a presigned upload' : 'documents'}.`));
    }
    if (this.head.length < 4) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, 4 - this.head.length)]);
      if (this.kind === 'zip' && this.head.length === 4 && !startsLikeZip(this.head)) {
        return callback(new ValidationError('The file is not a ZIP archive.', [{ pointer: '/file', detail: 'does not start with a ZIP signature' }]));
      }
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.kind === 'document' && this.bytes === 0) return callback(new ValidationError('The file is empty.', [{ pointer: '/file', detail: 'is empty' }]));
    if (this.kind === 'zip' && this.head.length < 4) {
      return callback(new ValidationError('The file is empty or too short to be a ZIP archive.', [{ pointer: '/file', detail: 'is empty' }]));
    }
    callback();
  }
}
