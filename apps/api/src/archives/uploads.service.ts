import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { UploadRepository, type ProjectRow, type UploadRow } from '#catalog';
import { APP_CONFIG, type AppConfig } from '#config';
import { ConflictError, DomainError, NotFoundError, PayloadTooLargeError, ValidationError, type Principal, isUuid } from '#core';
import { MAX_DOCUMENT_BYTES } from '#openapi';
import { ObjectStore } from '#storage';
import { startsLikeZip, uploadFileKind, UploadGuard } from './zip-upload-guard.js';
import type { CompleteUploadDto, CreateUploadDto } from './import-request.dto.js';

const PRESIGN_PARTS_MAX = 10_000;

/** Parts of `partSize` bytes that cover `size` bytes (the last one shorter); at least one. */
function partCountOf(size: number, partSize: number): number {
  return Math.max(1, Math.ceil(size / partSize));
}

function objectKeyOf(projectId: string, uploadId: string): string {
  return `uploads/${projectId}/${uploadId}/archive.zip`;
}

/**
 * Archives on their way to an import. Large ones go straight from the client to the
 * object store through presigned multipart uploads; smaller ones come through the API as a
 * form upload, streamed to the store and checked on the way, never buffered.
 */
@Injectable()
export class UploadsService {
  constructor(
    @Inject(UploadRepository) private readonly uploads: UploadRepository,
    @Inject(ObjectStore) private readonly store: ObjectStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async createPresigned(caller: Principal, project: ProjectRow, dto: CreateUploadDto) {
    const kind = uploadFileKind(dto.fileName, '/fileName');
    if (kind === 'document' && dto.size > MAX_DOCUMENT_BYTES) {
      throw new PayloadTooLargeError(`An OpenAPI document may have at most ${MAX_DOCUMENT_BYTES} bytes; this one has ${dto.size}.`);
    }
    const partSize = Math.max(this.config.archive.uploadPartBytes, Math.ceil(dto.size / PRESIGN_PARTS_MAX));
    const partCount = partCountOf(dto.size, partSize);
    const id = randomUUID();
    const key = objectKeyOf(project.id, id);
    const s3UploadId = await this.store.createMultipartUpload(key, kind === 'zip' ? 'application/zip' : 'application/octet-stream');
    const row = await this.uploads.create({
      id,
      projectId: project.id,
      objectKey: key,
      fileName: dto.fileName,
      s3UploadId,
      state: 'open',
      size: null,
      parts: { declaredSize: dto.size, partSize },
      createdBy: caller.tokenId,
      expiresAt: this.expiry(),
    });
    const partNumbers = Array.from({ length: partCount }, (_, i) => i + 1);
    return { ...toView(row), partSize, partCount, parts: await this.presignParts(row, partNumbers), urlsExpireAt: this.urlsExpireAt() };
  }

  /**
   * An upload's state. For an open presigned upload, also what a client needs to resume it
   * after losing its connection or its process: the parts the store already holds (their
   * ETags go into the completion) and fresh presigned URLs for the others only. A part the
   * store holds with the wrong size (cut off mid-way) counts as missing: PUTting it again
   * replaces it.
   */
  async status(project: ProjectRow, id: string) {
    const upload = await this.find(project, id);
    if (upload.state !== 'open' || !upload.s3_upload_id || upload.part_size === null || upload.declared_size === null) return toView(upload);
    const stored = await this.store.listParts(upload.object_key, upload.s3_upload_id);
    if (!stored) {
      // The store no longer knows it (aborted or expired there): nothing can complete it.
      await this.uploads.markAborted(id);
      return toView({ ...upload, state: 'aborted', s3_upload_id: null });
    }
    const declaredSize = Number(upload.declared_size);
    const partSize = Number(upload.part_size);
    const partCount = partCountOf(declaredSize, partSize);
    const expectedSize = (partNumber: number) => Math.min(partSize, declaredSize - (partNumber - 1) * partSize);
    const receivedParts = stored.filter((part) => part.partNumber <= partCount && part.size === expectedSize(part.partNumber));
    const received = new Set(receivedParts.map((part) => part.partNumber));
    const missing = Array.from({ length: partCount }, (_, i) => i + 1).filter((partNumber) => !received.has(partNumber));
    return {
      ...toView(upload),
      declaredSize,
      partSize,
      partCount,
      receivedParts,
      parts: await this.presignParts(upload, missing),
      urlsExpireAt: this.urlsExpireAt(),
    };
  }

  /**
   * Completes a presigned upload and checks that a .zip starts as a ZIP does, and that a
   * document (.json, .yaml, .yml) is within the size an OpenAPI import reads.
   */
  async complete(project: ProjectRow, id: string, dto: CompleteUploadDto) {
    const upload = await this.find(project, id);
    if (upload.state === 'ready') return toView(upload);
    if (upload.state !== 'open' || !upload.s3_upload_id) throw new ConflictError(`Upload ${id} was aborted.`);
    const stored = await this.store.completeMultipartUpload(upload.object_key, upload.s3_upload_id, dto.parts);
    const head = await this.firstBytes(upload.object_key);
    const kind = uploadFileKind(upload.file_name, '/fileName');
    if (kind === 'zip' && !startsLikeZip(head)) {
      await this.store.delete(upload.object_key);
      await this.uploads.markAborted(id);
      throw new ValidationError('The uploaded file is not a ZIP archive.', [{ pointer: '/parts', detail: 'the object does not start with a ZIP signature' }]);
    }
    if (kind === 'document' && !startsLikeZip(head) && stored.size > MAX_DOCUMENT_BYTES) {
      await this.store.delete(upload.object_key);
      await this.uploads.markAborted(id);
      throw new PayloadTooLargeError(`An OpenAPI document may have at most ${MAX_DOCUMENT_BYTES} bytes; this one has ${stored.size}.`);
    }
    await this.uploads.markReady(id, stored.size);
    return toView({ ...upload, state: 'ready', size: stored.size, s3_upload_id: null });
  }

  async abort(project: ProjectRow, id: string): Promise<void> {
    const upload = await this.find(project, id);
    if (upload.s3_upload_id) await this.store.abortMultipartUpload(upload.object_key, upload.s3_upload_id);
    else await this.store.delete(upload.object_key);
    await this.uploads.markAborted(id);
  }

  /**
   * Streams a form upload into the store. On any failure the partial object is gone.
   * `accept: 'archive'` (the vendor face) takes only a .zip; `'archive-or-openapi'` (/v1)
   * also takes one OpenAPI document (.json, .yaml, .yml), capped at what the import reads.
   */
  async storeStream(caller: Principal, project: ProjectRow, fileName: string, file: Readable, accept: 'archive' | 'archive-or-openapi' = 'archive'): Promise<UploadRow> {
    const kind = accept === 'archive' ? checkZipFileName(fileName) : uploadFileKind(fileName);
    const id = randomUUID();
    const key = objectKeyOf(project.id, id);
    const limit = kind === 'zip' ? this.config.archive.maxFormUploadBytes : Math.min(MAX_DOCUMENT_BYTES, this.config.archive.maxFormUploadBytes);
    const guard = new UploadGuard(limit, kind);
    file.once('error', (err) => guard.destroy(err));
    let stored;
    try {
      stored = await this.store.putStream(key, file.pipe(guard), { contentType: kind === 'zip' ? 'application/zip' : 'application/octet-stream' });
    } catch (err) {
      // The guard's own verdict (not a zip, too large) is what the client needs to hear.
      const cause = (err as { cause?: unknown }).cause;
      if (err instanceof DomainError) throw err;
      if (cause instanceof DomainError) throw cause;
      if (guard.errored instanceof DomainError) throw guard.errored;
      throw err;
    }
    return this.uploads.create({
      id,
      projectId: project.id,
      objectKey: key,
      fileName,
      s3UploadId: null,
      state: 'ready',
      size: stored.size,
      createdBy: caller.tokenId,
      expiresAt: this.expiry(),
    });
  }

  async findReady(project: ProjectRow, id: string): Promise<UploadRow> {
    const upload = await this.find(project, id);
    if (upload.state !== 'ready') {
      throw new ConflictError(`Upload ${id} is ${upload.state}: complete it before importing.`).with({ uploadState: upload.state });
    }
    return upload;
  }

  private async find(project: ProjectRow, id: string): Promise<UploadRow> {
    const upload = isUuid(id) ? await this.uploads.find(project.id, id) : undefined;
    if (!upload) throw new NotFoundError(`Upload ${id} does not exist in project "${project.name}".`);
    return upload;
  }

  private async presignParts(upload: UploadRow, partNumbers: number[]): Promise<{ partNumber: number; url: string }[]> {
    const ttl = this.config.s3.presignTtlSeconds;
    return Promise.all(partNumbers.map(async (partNumber) => ({ partNumber, url: await this.store.presignUploadPart(upload.object_key, upload.s3_upload_id!, partNumber, ttl) })));
  }

  private urlsExpireAt(): string {
    return new Date(Date.now() + this.config.s3.presignTtlSeconds * 1000).toISOString();
  }

  private async firstBytes(key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.store.getStream(key, { start: 0, end: 3 })) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  private expiry(): Date {
    return new Date(Date.now() + this.config.jobs.retentionDays * 86_400_000);
  }
}

function checkZipFileName(fileName: string): 'zip' {
  if (!/\.zip$/i.test(fileName)) {
    throw new ValidationError(`The file "${fileName}" does not have the .zip extension.`, [{ pointer: '/file', detail: 'must be a .zip file' }]);
  }
  return 'zip';
}

function toView(row: UploadRow) {
  return { id: row.id, fileName: row.file_name, state: row.state, size: row.size === null ? null : Number(row.size), createdAt: row.created_at.toISOString(), expiresAt: row.expires_at.toISOString() };
}
