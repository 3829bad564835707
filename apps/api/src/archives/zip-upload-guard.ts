import { Transform, type TransformCallback } from 'node:stream';
import { PayloadTooLargeError, ValidationError } from '#core';

const ZIP_MAGIC = [Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('PK\x05\x06', 'latin1')];

export function checkZipFileName(fileName: string, pointer = '/file'): void {
  if (!/\.zip$/i.test(fileName)) {
    throw new ValidationError(`The file "${fileName}" does not have the .zip extension.`, [{ pointer, detail: 'must be a .zip file' }]);
  }
}

/**
 * Passes an upload through on its way to the object store, failing it as soon as its first
 * bytes are not a ZIP signature or its size passes the cap. Nothing is buffered.
 */
export class ZipUploadGuard extends Transform {
  bytes = 0;
  private head = Buffer.alloc(0);

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      return callback(new PayloadTooLargeError(`The archive is larger than the ${this.maxBytes}-byte limit for uploads through the API; use a presigned upload.`));
    }
    if (this.head.length < 4) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, 4 - this.head.length)]);
      if (this.head.length === 4 && !ZIP_MAGIC.some((magic) => magic.equals(this.head))) {
        return callback(new ValidationError('The file is not a ZIP archive.', [{ pointer: '/file', detail: 'does not start with a ZIP signature' }]));
      }
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.head.length < 4) return callback(new ValidationError('The file is empty or too short to be a ZIP archive.', [{ pointer: '/file', detail: 'is empty' }]));
    callback();
  }
}
