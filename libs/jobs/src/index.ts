export { JobKind, ALL_JOB_KINDS, isJobKind, queueNameOf } from './job-kinds.js';
export type { AssetSelection, PackageExportOptions, JobPayload, JobPayloads, ExportInclude, ExportPayload, ImportPayload, ProxyDeploymentPayload, OpenApiExportPayload, OpenApiImportPayload } from './job-kinds.js';
export { JobQueue } from './job-queue.js';
export type { JobQueueSettings, QueueJobData } from './job-queue.js';
export { ProgressTracker } from './progress.js';
export type { JobProgress } from './progress.js';
export { redisConnectionFromUrl } from './redis.js';
export type { RedisConnectionSettings } from './redis.js';
export { JobsModule } from './jobs.module.js';
