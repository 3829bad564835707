import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { JobReportRepository, JobRepository, type JobRow } from '#catalog';
import { APP_CONFIG, type AppConfig } from '#config';
import { NotFoundError, type Principal } from '#core';
import { LOGGER } from '#observability';
import { JobEventSequence, type JobEvent } from './job-event-sequence.js';
import { JobsService } from './jobs.service.js';
import { withReportItems } from './job-report-items.js';

/** Where one stream's events go: the HTTP response of GET /v1/jobs/{id}/events. */
export interface JobEventSink {
  send(event: JobEvent): void;
  /** The job has finished (or vanished) or the process is stopping: close the stream. */
  end(): void;
}

interface Follower {
  sequence: JobEventSequence;
  sink: JobEventSink;
}

/**
 * Job events come from the job record, the source of truth that every API and worker
 * process shares, so a stream works whichever worker runs the job. One read of all the
 * watched records per poll interval serves every open stream of this process.
 */
@Injectable()
export class JobEventsService implements BeforeApplicationShutdown {
  private readonly followersByJob = new Map<string, Set<Follower>>();
  private timer?: NodeJS.Timeout;
  private closing = false;

  constructor(
    @Inject(JobsService) private readonly jobsService: JobsService,
    @Inject(JobRepository) private readonly jobs: JobRepository,
    @Inject(JobReportRepository) private readonly reportLines: JobReportRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /**
   * Checks that the caller may see the job (404 otherwise, before a byte is streamed) and
   * answers a function that starts the stream into a sink; what that returns stops it.
   */
  async open(caller: Principal, id: string, lastEventId: number | undefined): Promise<(sink: JobEventSink) => () => void> {
    await this.jobsService.get(caller, id);
    const row = await this.jobs.find(id);
    if (!row) throw new NotFoundError(`Job ${id} does not exist.`);
    return (sink) => this.follow(row, { sequence: new JobEventSequence(lastEventId), sink });
  }

  /** Ends every open stream, so the HTTP server can close without waiting for jobs to finish. */
  beforeApplicationShutdown(): void {
    this.closing = true;
    clearTimeout(this.timer);
    const followers = [...this.followersByJob.values()].flatMap((set) => [...set]);
    this.followersByJob.clear();
    for (const follower of followers) follower.sink.end();
  }

  private follow(first: JobRow, follower: Follower): () => void {
    const jobId = first.id;
    if (this.closing) {
      follower.sink.end();
      return () => undefined;
    }
    let followers = this.followersByJob.get(jobId);
    if (!followers) this.followersByJob.set(jobId, (followers = new Set()));
    followers.add(follower);
    void this.deliver(jobId, follower, first);
    this.schedule();
    return () => this.unfollow(jobId, follower);
  }

  private unfollow(jobId: string, follower: Follower): void {
    const followers = this.followersByJob.get(jobId);
    followers?.delete(follower);
    if (followers?.size === 0) this.followersByJob.delete(jobId);
  }

  private async deliver(jobId: string, follower: Follower, row: JobRow | undefined): Promise<void> {
    try {
      const event = row && follower.sequence.next(row);
      // The terminal event carries the job as GET /v1/jobs/{id} shows it, report lines included.
      if (event && event.event !== 'progress') event.data = await withReportItems(event.data, this.reportLines);
      if (event) follower.sink.send(event);
    } catch (err) {
      this.log.debug({ err, jobId }, 'job event not delivered');
    }
    // A record that vanished was deleted by retention: there is nothing more to tell.
    if (!row || follower.sequence.done) {
      this.unfollow(jobId, follower);
      follower.sink.end();
    }
  }

  private schedule(): void {
    if (this.timer || this.closing || this.followersByJob.size === 0) return;
    this.timer = setTimeout(() => void this.poll(), this.config.jobs.eventsPollMs);
  }

  private async poll(): Promise<void> {
    // Followers that join while the read is in flight have a newer reading already; they wait for the next poll.
    const watched = [...this.followersByJob].map(([jobId, followers]) => ({ jobId, followers: [...followers] }));
    try {
      const rows = new Map((await this.jobs.findByIds(watched.map((w) => w.jobId))).map((row) => [row.id, row]));
      for (const { jobId, followers } of watched) {
        for (const follower of followers) {
          if (this.followersByJob.get(jobId)?.has(follower)) await this.deliver(jobId, follower, rows.get(jobId));
        }
      }
    } catch (err) {
      this.log.warn({ err }, 'reading jobs for event streams failed; trying again at the next poll');
    } finally {
      this.timer = undefined;
      this.schedule();
    }
  }
}
