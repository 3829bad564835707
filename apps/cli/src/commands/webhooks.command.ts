import { Option, type Command } from 'commander';
import { DELIVERY_STATES, parseEvents, parsePositiveInt, parseProjectName, parseUuid, parseWebhookUrl, WEBHOOK_EVENTS } from '../arguments.js';
import { UsageError } from '../cli-error.js';
import { action, type CliRuntime, type CommandContext } from '../command-context.js';
import type { Page } from '../http/api-client.js';
import { formatFields, formatTable } from '../output/format.js';

export interface WebhookEndpoint {
  id: string;
  project: string;
  url: string;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  failingSince: string | null;
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Only in the answers that create an endpoint or rotate its secret. */
  secret?: string;
}

export interface WebhookDelivery {
  id: string;
  webhookId: string;
  eventType: string;
  jobId: string | null;
  attempt: number;
  trigger: string;
  state: string;
  url: string;
  statusCode: number | null;
  latencyMs: number | null;
  error: string | null;
  scheduledAt: string;
  attemptedAt: string | null;
  createdAt: string;
}

/** The events a new endpoint hears unless --events names others: what a pipeline waits for. */
const DEFAULT_EVENTS = ['job.succeeded', 'job.failed', 'job.canceled', 'deployment.completed'];

function webhooksPath(project: string, id?: string): string {
  return `/v1/projects/${encodeURIComponent(project)}/webhooks${id ? `/${id}` : ''}`;
}

function endpointLines(endpoint: WebhookEndpoint): string[] {
  const lines = [
    formatFields([
      ['id', endpoint.id],
      ['url', endpoint.url],
      ['events', endpoint.events.join(', ')],
      ['enabled', endpoint.enabled ? 'yes' : `no (${endpoint.disabledReason ?? 'disabled'})`],
      ['failing since', endpoint.failingSince],
      ['previous secret signs until', endpoint.previousSecretExpiresAt],
      ['created', endpoint.createdAt],
    ]),
  ];
  if (endpoint.secret) lines.push('', 'signing secret (shown only now; store it where the receiver verifies signatures):', endpoint.secret);
  return lines;
}

function withProject(command: Command): Command {
  return command.requiredOption('--project <name>', 'project of the webhook endpoint', parseProjectName);
}

/** `PATCH {enabled}`: the two commands differ only in the value. */
async function setEnabled(ctx: CommandContext, project: string, id: string, enabled: boolean): Promise<void> {
  const endpoint = await (await ctx.client()).request<WebhookEndpoint>('PATCH', webhooksPath(project, id), { body: { enabled } });
  ctx.output.result(endpoint, () => `webhook ${id} ${enabled ? 'enabled' : 'disabled'}`);
}

export function registerWebhookCommands(program: Command, runtime: CliRuntime): void {
  const webhooks = program
    .command('webhooks')
    .description("a project's webhook endpoints and their delivery log (needs PROJECT_ADMIN)")
    .addHelpText('after', `\nEvents: ${WEBHOOK_EVENTS.join(', ')}.`);

  withProject(webhooks.command('list'))
    .description("list a project's webhook endpoints (never their secrets)")
    .action(
      action(runtime, async (ctx, options: { project: string }) => {
        const items = await (await ctx.client()).all<WebhookEndpoint>(webhooksPath(options.project), { limit: 100 });
        ctx.output.result({ items }, () =>
          items.length === 0
            ? `no webhooks in ${options.project}`
            : formatTable(
                ['ID', 'URL', 'EVENTS', 'ENABLED', 'FAILING SINCE'],
                items.map((w) => [w.id, w.url, w.events.join(','), w.enabled ? 'yes' : `no: ${w.disabledReason ?? ''}`, w.failingSince]),
              ),
        );
      }),
    );

  withProject(webhooks.command('create'))
    .description('register an endpoint; its signing secret is printed once')
    .requiredOption('--url <url>', 'where events are POSTed', parseWebhookUrl)
    .option('--events <list>', `comma-separated events (default: ${DEFAULT_EVENTS.join(',')})`, parseEvents)
    .option('--disabled', 'register it disabled')
    .addHelpText('after', '\nExample:\n  apiferry webhooks create --project payments --url https://ci.example.com/hooks/apiferry --events job.succeeded,job.failed')
    .action(
      action(runtime, async (ctx, options: { project: string; url: string; events?: string[]; disabled?: boolean }) => {
        const endpoint = await (await ctx.client()).post<WebhookEndpoint>(webhooksPath(options.project), {
          url: options.url,
          events: options.events ?? DEFAULT_EVENTS,
          ...(options.disabled ? { enabled: false } : {}),
        });
        ctx.output.result(endpoint, () => endpointLines(endpoint));
      }),
    );

  withProject(webhooks.command('get'))
    .description('show one endpoint')
    .argument('<id>', 'webhook id', parseUuid)
    .action(
      action(runtime, async (ctx, id: string, options: { project: string }) => {
        const endpoint = await (await ctx.client()).get<WebhookEndpoint>(webhooksPath(options.project, id));
        ctx.output.result(endpoint, () => endpointLines(endpoint));
      }),
    );

  withProject(webhooks.command('update'))
    .description("change an endpoint's URL or events (its secret and delivery log stay)")
    .argument('<id>', 'webhook id', parseUuid)
    .option('--url <url>', 'where events are POSTed from now on', parseWebhookUrl)
    .option('--events <list>', 'comma-separated events it hears from now on', parseEvents)
    .addHelpText('after', '\nExample:\n  apiferry webhooks update --project payments 3f2c… --events job.failed,deployment.completed')
    .action(
      action(runtime, async (ctx, id: string, options: { project: string; url?: string; events?: string[] }) => {
        if (options.url === undefined && options.events === undefined) throw new UsageError('webhooks update needs --url, --events or both');
        const endpoint = await (await ctx.client()).request<WebhookEndpoint>('PATCH', webhooksPath(options.project, id), {
          body: { ...(options.url !== undefined ? { url: options.url } : {}), ...(options.events !== undefined ? { events: options.events } : {}) },
        });
        ctx.output.result(endpoint, () => endpointLines(endpoint));
      }),
    );

  withProject(webhooks.command('delete'))
    .description('delete an endpoint and its delivery log')
    .argument('<id>', 'webhook id', parseUuid)
    .action(
      action(runtime, async (ctx, id: string, options: { project: string }) => {
        await (await ctx.client()).delete(webhooksPath(options.project, id));
        ctx.output.result({ deleted: id }, () => `webhook ${id} deleted`);
      }),
    );

  withProject(webhooks.command('enable'))
    .description('enable an endpoint again (and forget its failure streak)')
    .argument('<id>', 'webhook id', parseUuid)
    .action(action(runtime, async (ctx, id: string, options: { project: string }) => setEnabled(ctx, options.project, id, true)));

  withProject(webhooks.command('disable'))
    .description('stop sending to an endpoint')
    .argument('<id>', 'webhook id', parseUuid)
    .action(action(runtime, async (ctx, id: string, options: { project: string }) => setEnabled(ctx, options.project, id, false)));

  withProject(webhooks.command('rotate-secret'))
    .description('make a new signing secret, printed once; the previous one keeps signing beside it for 24 hours')
    .argument('<id>', 'webhook id', parseUuid)
    .action(
      action(runtime, async (ctx, id: string, options: { project: string }) => {
        const endpoint = await (await ctx.client()).post<WebhookEndpoint>(`${webhooksPath(options.project, id)}/rotate-secret`);
        ctx.output.result(endpoint, () => endpointLines(endpoint));
      }),
    );

  withProject(webhooks.command('deliveries'))
    .description("an endpoint's delivery log: one row per attempt, newest first")
    .argument('<id>', "webhook id (a project endpoint's, or a job's own from jobs get)", parseUuid)
    .addOption(new Option('--state <state>', 'only attempts in this state').choices(DELIVERY_STATES))
    .addOption(new Option('--event <type>', 'only attempts of this event').choices(WEBHOOK_EVENTS))
    .option('--message <webhook-id>', 'only the attempts of this message (msg_...)')
    .option('--limit <n>', 'at most this many (1-500)', parsePositiveInt(500), 50)
    .action(
      action(runtime, async (ctx, id: string, options: { project: string; state?: string; event?: string; message?: string; limit: number }) => {
        const page = await (await ctx.client()).get<Page<WebhookDelivery>>(`${webhooksPath(options.project, id)}/deliveries`, {
          state: options.state,
          eventType: options.event,
          webhookId: options.message,
          limit: options.limit,
        });
        ctx.output.result(page, () =>
          page.items.length === 0
            ? `no deliveries for webhook ${id}`
            : formatTable(
                ['ID', 'EVENT', 'MESSAGE', 'ATTEMPT', 'TRIGGER', 'STATE', 'STATUS', 'MS', 'JOB', 'WHEN', 'ERROR'],
                page.items.map((d) => [d.id, d.eventType, d.webhookId, d.attempt, d.trigger, d.state, d.statusCode, d.latencyMs, d.jobId, d.attemptedAt ?? d.scheduledAt, d.error]),
              ),
        );
      }),
    );

  withProject(webhooks.command('redeliver'))
    .description('send the message of one attempt again, now (same webhook-id, tried once)')
    .argument('<id>', 'webhook id', parseUuid)
    .argument('<delivery>', 'the attempt to send again (an ID from webhooks deliveries)', parseUuid)
    .action(
      action(runtime, async (ctx, id: string, delivery: string, options: { project: string }) => {
        const attempt = await (await ctx.client()).post<WebhookDelivery>(`${webhooksPath(options.project, id)}/deliveries/${delivery}/redeliver`);
        ctx.output.result(attempt, () => `redelivery of ${attempt.webhookId} (${attempt.eventType}) queued as attempt ${attempt.attempt}: ${attempt.id}`);
      }),
    );
}
