import type { Selectable } from 'kysely';
import type { CatalogDb } from '../database.js';
import type { UploadTable } from '../schema.js';

export type UploadRow = Selectable<UploadTable>;

export class UploadRepository {
  constructor(private readonly db: CatalogDb) {}

  async create(upload: {
    id: string;
    projectId: string;
    objectKey: string;
    fileName: string;
    s3UploadId: string | null;
    state: string;
    size: number | null;
    /** A presigned upload's declared size and part size; absent for a form upload. */
    parts?: { declaredSize: number; partSize: number };
    createdBy: string;
    expiresAt: Date;
  }): Promise<UploadRow> {
    return this.db
      .insertInto('uploads')
      .values({
        id: upload.id,
        project_id: upload.projectId,
        object_key: upload.objectKey,
        file_name: upload.fileName,
        s3_upload_id: upload.s3UploadId,
        state: upload.state,
        size: upload.size,
        declared_size: upload.parts?.declaredSize ?? null,
        part_size: upload.parts?.partSize ?? null,
        created_by: upload.createdBy,
        expires_at: upload.expiresAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async find(projectId: string, id: string): Promise<UploadRow | undefined> {
    return this.db.selectFrom('uploads').selectAll().where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
  }

  async markReady(id: string, size: number): Promise<void> {
    await this.db.updateTable('uploads').set({ state: 'ready', size, s3_upload_id: null }).where('id', '=', id).execute();
  }

  async markAborted(id: string): Promise<void> {
    await this.db.updateTable('uploads').set({ state: 'aborted', s3_upload_id: null }).where('id', '=', id).execute();
  }

  /** Up to `limit` uploads whose expiry has passed, oldest first. */
  async listExpired(now: Date, limit: number, db: CatalogDb = this.db): Promise<UploadRow[]> {
    return db.selectFrom('uploads').selectAll().where('expires_at', '<', now).orderBy('expires_at').limit(limit).execute();
  }

  async deleteByIds(ids: readonly string[], db: CatalogDb = this.db): Promise<void> {
    if (ids.length === 0) return;
    await db.deleteFrom('uploads').where('id', 'in', ids).execute();
  }
}
