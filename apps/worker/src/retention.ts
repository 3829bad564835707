import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import {
  CATALOG_DB,
  IdempotencyRepository,
  JobRepository,
  tryAdvisoryXactLock,
  UploadRepository,
  WebhookRepository,
  type CatalogDb,
  type JobRow,
  type UploadRow,
} from '#catalog';
import { APP_CONFIG, type AppConfig } from '#config';
import { JobKind } from '#jobs';
import { LOGGER } from '#observability';
import { ObjectStore, StorageError } from '#storage';
import { artifactKey } from './handlers/archive-export.handler.js';

/** The advisory lock one sweeping worker holds; the others skip their turn. */
const SWEEP_LOCK = 'apiferry:retention-sweep';
const BATCH_SIZE = 100;
/** A bound per sweep, so one sweep never runs for hours; the rest waits for the next. */
const MAX_BATCHES = 100;
/** Idempotency keys are kept at least this long (docs/API.md promises 24 h). */
const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
const SHUTDOWN_WAIT_MS = 10_000;

export interface SweepReport {
  jobs: number;
  artifacts: number;
  uploads: number;
  /** Webhook delivery-log entries past the retention period. */
  deliveries: number;
  /** True when another worker held the sweep lock and this one did nothing. */
  skipped: boolean;
}

/**
 * Deletes what has outlived its retention: finished job records past `expires_at` with
 * their export archives, expired uploads with their objects (or open multipart uploads),
 * and idempotency keys older than 24 h.
 *
 * Each batch is one short transaction that holds a transaction-scoped advisory lock
 * (pg_try_advisory_xact_lock works on a pool, a session lock would not): while one worker
 * sweeps, the others skip. Within the batch the objects are deleted before the rows commit,
 * so a failed S3 delete rolls the rows back and the next sweep tries again; deleting a
 * missing object succeeds, so that retry is harmless. No object outlives its record.
 */
@Injectable()
export class RetentionSweeper implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<SweepReport | undefined>;
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CATALOG_DB) private readonly db: CatalogDb,
    @Inject(JobRepository) private readonly jobs: JobRepository,
    @Inject(UploadRepository) private readonly uploads: UploadRepository,
    @Inject(IdempotencyRepository) private readonly idempotency: IdempotencyRepository,
    @Inject(WebhookRepository) private readonly webhooks: WebhookRepository,
    @Inject(ObjectStore) private readonly store: ObjectStore,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.sweepOnce(), this.config.jobs.retentionSweepIntervalMs);
    this.timer.unref();
  }

  /** A first sweep at start (after the bucket check), so a restart never delays clean-up by a whole interval. */
  onApplicationBootstrap(): void {
    void this.sweepOnce();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    if (this.sweeping) await Promise.race([this.sweeping, new Promise((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS).unref())]);
  }

  /** One sweep; undefined when this process is sweeping already or is stopping. */
  sweepOnce(now: Date = new Date()): Promise<SweepReport | undefined> {
    if (this.sweeping || this.stopping) return Promise.resolve(undefined);
    this.sweeping = this.sweep(now).finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async sweep(now: Date): Promise<SweepReport | undefined> {
    const report: SweepReport = { jobs: 0, artifacts: 0, uploads: 0, deliveries: 0, skipped: false };
    try {
      for (let batch = 0; batch < MAX_BATCHES && !this.stopping; batch++) {
        const deleted = await this.underLock(async (trx) => {
          const expired = await this.jobs.deleteExpired(now, BATCH_SIZE, trx);
          let artifacts = 0;
          for (const job of expired) artifacts += await this.deleteArtifact(job);
          return { jobs: expired.length, artifacts };
        });
        if (!deleted) return { ...report, skipped: true };
        report.jobs += deleted.jobs;
        report.artifacts += deleted.artifacts;
        if (deleted.jobs < BATCH_SIZE) break;
      }
      for (let batch = 0; batch < MAX_BATCHES && !this.stopping; batch++) {
        const deleted = await this.underLock(async (trx) => {
          const expired = await this.uploads.listExpired(now, BATCH_SIZE, trx);
          for (const upload of expired) await this.deleteUploadObject(upload);
          await this.uploads.deleteByIds(expired.map((upload) => upload.id), trx);
          return expired.length;
        });
        if (deleted === undefined) return { ...report, skipped: true };
        report.uploads += deleted;
        if (deleted < BATCH_SIZE) break;
      }
      // The delivery log is kept as long as job records. No lock: deleting a finished
      // attempt twice is harmless, and pending attempts are never deleted.
      const logCutoff = new Date(now.getTime() - this.config.jobs.retentionDays * 86_400_000);
      for (let batch = 0; batch < MAX_BATCHES && !this.stopping; batch++) {
        const deleted = await this.webhooks.deleteDeliveriesBefore(logCutoff, BATCH_SIZE * 10);
        report.deliveries += deleted;
        if (deleted < BATCH_SIZE * 10) break;
      }
      await this.idempotency.deleteOlderThan(new Date(now.getTime() - IDEMPOTENCY_KEY_TTL_MS));
      if (report.jobs + report.uploads + report.deliveries > 0) this.log.info({ ...report }, 'retention sweep deleted expired records');
      return report;
    } catch (err) {
      this.log.error({ err, ...report }, 'retention sweep failed; the next sweep tries again');
      return undefined;
    }
  }

  /** Runs `work` in a transaction holding the sweep lock; undefined when another worker holds it. */
  private async underLock<T>(work: (trx: CatalogDb) => Promise<T>): Promise<T | undefined> {
    return this.db.transaction().execute(async (trx) => ((await tryAdvisoryXactLock(trx, SWEEP_LOCK)) ? work(trx) : undefined));
  }

  /** Deletes an export's archive; 1 when the job had one. */
  private async deleteArtifact(job: JobRow): Promise<number> {
    if (job.kind !== JobKind.ArchiveExport && job.kind !== JobKind.OpenApiExport) return 0;
    const key = (job.result as { artifact?: { key?: unknown } } | null)?.artifact?.key;
    if (typeof key === 'string') {
      await this.store.delete(key);
      return 1;
    }
    // A cancel that lands after the upload completed leaves an archive without a result.
    const projectId = (job.payload as { projectId?: unknown }).projectId;
    if (typeof projectId === 'string') await this.store.deletePrefix(artifactKey(projectId, job.id, ''));
    return 0;
  }

  private async deleteUploadObject(upload: UploadRow): Promise<void> {
    if (upload.s3_upload_id) {
      try {
        await this.store.abortMultipartUpload(upload.object_key, upload.s3_upload_id);
      } catch (err) {
        // Already completed or aborted: nothing to abort.
        if (!(err instanceof StorageError && err.status === 404)) throw err;
      }
    }
    await this.store.delete(upload.object_key);
  }
}
