import type { Migration } from 'kysely/migration';
import * as initial from './0001-initial.js';
import * as uploads from './0002-uploads.js';
import * as webhookDeliveries from './0003-webhook-deliveries.js';
import * as apiProxyUuidIndex from './0004-api-proxy-uuid-index.js';
import * as jobWebhooks from './0005-job-webhooks.js';
import * as jobReportItems from './0006-job-report-items.js';
import * as uploadParts from './0007-upload-parts.js';

/**
 * Every migration, in order. Listed in code rather than read from a folder so the same
 * list runs from dist/, from jest and in a single-file bundle.
 */
export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-uploads': uploads,
  '0003-webhook-deliveries': webhookDeliveries,
  '0004-api-proxy-uuid-index': apiProxyUuidIndex,
  '0005-job-webhooks': jobWebhooks,
  '0006-job-report-items': jobReportItems,
  '0007-upload-parts': uploadParts,
};
