import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional } from 'class-validator';
import { ValidationError, type FieldError } from '#core';
import { WEBHOOK_EVENT_TYPES } from '#webhooks';

/** What a job's own webhook hears unless the request names events. */
export const DEFAULT_JOB_WEBHOOK_EVENTS = ['job.succeeded', 'job.failed', 'job.canceled', 'deployment.completed'];

/** The `webhook` option of a job-creating request: where that job's events go. */
export interface JobWebhookRequest {
  url: string;
  events: string[];
}

/**
 * Reads the `webhook` option, which every job-creating request accepts the same way:
 * `{"url": "https://...", "events": [...]}` (events optional). Checked here for form only;
 * the URL's target check is the one every endpoint gets.
 */
export function parseJobWebhook(value: unknown, pointer = '/webhook'): JobWebhookRequest | undefined {
  if (value === undefined || value === null) return undefined;
  const problems: FieldError[] = [];
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError('webhook must be an object such as {"url": "https://..."}.', [{ pointer, detail: 'must be an object' }]);
  }
  const { url, events, ...rest } = value as Record<string, unknown>;
  if (typeof url !== 'string' || url.length === 0 || url.length > 2048) problems.push({ pointer: `${pointer}/url`, detail: 'must be a URL of at most 2048 characters' });
  let chosen = DEFAULT_JOB_WEBHOOK_EVENTS;
  if (events !== undefined) {
    const known = WEBHOOK_EVENT_TYPES as readonly string[];
    if (!Array.isArray(events) || events.length === 0 || events.some((e) => typeof e !== 'string' || !known.includes(e))) {
      problems.push({ pointer: `${pointer}/events`, detail: `must be a non-empty list of ${known.join(', ')}` });
    } else {
      chosen = [...new Set(events as string[])];
    }
  }
  for (const key of Object.keys(rest)) problems.push({ pointer: `${pointer}/${key}`, detail: 'is not a known property' });
  if (problems.length > 0) throw new ValidationError('The webhook option is invalid.', problems);
  return { url: url as string, events: chosen };
}

/** The `webhook` property of a job-creating request DTO; parseJobWebhook checks its content. */
export function JobWebhookOption(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      description:
        'a webhook for this job alone: {"url": "https://...", "events": [...]} (events default to the terminal job events and deployment.completed); its signing secret is in the 202 answer only',
      example: { url: 'https://ci.example.com/hooks/apiferry' },
    }),
    IsOptional(),
    IsObject(),
  );
}
