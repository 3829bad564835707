import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG, type AppConfig } from '#config';
import { ObjectStore } from '#storage';
import type { JobView } from '../jobs/job-view.js';
import { JobsService } from '../jobs/jobs.service.js';

/**
 * What the synchronous vendor faces share: wait for a job up to SYNC_WAIT_MS, answer 202
 * with the job's location past that, and stream a finished export's artifact to the client.
 */
@Injectable()
export class SyncJobs {
  constructor(
    @Inject(JobsService) private readonly jobs: JobsService,
    @Inject(ObjectStore) private readonly store: ObjectStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The job once terminal, or undefined after answering 202 because it outlasted the bound. */
  async wait(jobId: string, reply: FastifyReply, inProgressBody: (job: JobView) => Record<string, unknown>): Promise<JobView | undefined> {
    const job = await this.jobs.waitForTerminal(jobId, this.config.archive.syncWaitMs);
    if (job.state !== 'queued' && job.state !== 'running') return job;
    void reply.status(202).header('location', job.links.self).header('retry-after', '2').send({ ...inProgressBody(job), jobId: job.id, location: job.links.self });
    return undefined;
  }

  /** Streams the export's archive from the object store (never buffered). */
  async sendArtifact(job: JobView, reply: FastifyReply, fileName: string, disposition: 'attachment' | 'inline' = 'attachment'): Promise<void> {
    const artifact = job.result?.artifact as { key: string; size: number };
    const body = await this.store.getStream(artifact.key);
    void reply
      .status(200)
      .header('content-type', 'application/octet-stream')
      .header('content-length', String(artifact.size))
      .header('content-disposition', `${disposition}; filename="${fileName}"`)
      .send(body);
  }

  async discardUpload(objectKey: string): Promise<void> {
    await this.store.delete(objectKey).catch(() => undefined);
  }
}
