import { allProjectNames, api, query } from '../api.js';
import { formatTime, h, replaceChildren, shortId } from '../dom.js';

/** The webhook endpoints of a project, each linking to its delivery log. */
export function webhooksView(params) {
  const project = params.get('project') ?? '';
  const heading = h('h1', { tabindex: -1 }, 'Webhook endpoints');
  const status = h('p', { class: 'muted', role: 'status' });
  const projectSelect = h('select', { id: 'webhook-project', name: 'project' }, h('option', { value: '' }, 'choose a project'));
  const form = h('form', { class: 'filters', 'aria-label': 'Choose a project', onsubmit: (event) => {
    event.preventDefault();
    location.hash = projectSelect.value ? `#/webhooks?project=${encodeURIComponent(projectSelect.value)}` : '#/webhooks';
  } },
    h('div', { class: 'field' }, h('label', { for: 'webhook-project' }, 'Project'), projectSelect),
    h('div', { class: 'field field-actions' }, h('button', { type: 'submit' }, 'Show endpoints')),
  );
  const list = h('div');
  const element = h('section', {}, heading, form, status, list);

  const load = async () => {
    try {
      const names = await allProjectNames();
      replaceChildren(projectSelect, h('option', { value: '' }, 'choose a project'), names.map((n) => h('option', { value: n, selected: n === project }, n)));
    } catch (err) {
      status.textContent = `Could not list projects: ${err.message}`;
    }
    if (!project) return;
    try {
      const page = await api(`/v1/projects/${encodeURIComponent(project)}/webhooks?limit=100`);
      status.textContent = page.items.length ? '' : `Project ${project} has no webhook endpoints.`;
      replaceChildren(list, page.items.length ? h('table', { class: 'data', 'data-testid': 'endpoints-table' },
        h('caption', {}, `Endpoints of ${project}`),
        h('thead', {}, h('tr', {}, ['URL', 'Events', 'State', 'Failing since'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, page.items.map((e) => h('tr', {},
          h('td', {}, h('a', { href: `#/webhooks/${encodeURIComponent(project)}/${e.id}` }, e.url)),
          h('td', {}, e.events.join(', ')),
          h('td', {}, e.enabled ? h('span', { class: 'badge state-succeeded' }, 'enabled') : h('span', { class: 'badge state-failed', title: e.disabledReason ?? '' }, 'disabled')),
          h('td', {}, formatTime(e.failingSince)),
        ))),
      ) : null);
    } catch (err) {
      status.textContent = `Could not list the endpoints: ${err.message}`;
    }
  };
  void load();
  return { title: 'Webhooks', element, dispose() {} };
}

const POLL_MS = 2000;
const IDLE_POLL_MS = 15_000;

/** One endpoint: its settings, its delivery log (every attempt), and a redeliver button per attempt. */
export function webhookEndpointView(project, endpointId) {
  const base = `/v1/projects/${encodeURIComponent(project)}/webhooks/${encodeURIComponent(endpointId)}`;
  let timer;
  let disposed = false;
  const heading = h('h1', { tabindex: -1 }, 'Webhook endpoint');
  const message = h('p', { class: 'message', role: 'status', 'data-testid': 'webhook-message' });
  const details = h('dl', { class: 'summary' });
  const tbody = h('tbody');
  const stateFilter = h('select', { id: 'delivery-state', onchange: () => void refresh() },
    h('option', { value: '' }, 'all'), ['pending', 'succeeded', 'failed', 'skipped'].map((s) => h('option', { value: s }, s)));
  const element = h('article', {},
    heading,
    h('p', {}, h('a', { href: `#/webhooks?project=${encodeURIComponent(project)}` }, `← Endpoints of ${project}`)),
    message,
    details,
    h('section', { class: 'panel', 'aria-labelledby': 'deliveries-heading' },
      h('h2', { id: 'deliveries-heading' }, 'Delivery log'),
      h('div', { class: 'field inline' }, h('label', { for: 'delivery-state' }, 'Show state'), stateFilter),
      h('div', { class: 'table-wrap' }, h('table', { class: 'data', 'data-testid': 'deliveries-table' },
        h('caption', { class: 'visually-hidden' }, 'Delivery attempts, newest first'),
        h('thead', {}, h('tr', {}, ['Attempt', 'Event', 'Message', 'Trigger', 'State', 'Status', 'Latency', 'Error', 'Attempted', 'Job', 'Action'].map((c) => h('th', { scope: 'col' }, c)))),
        tbody,
      )),
    ),
  );

  const redeliver = async (delivery, button) => {
    button.disabled = true;
    try {
      const attempt = await api(`${base}/deliveries/${delivery.id}/redeliver`, { method: 'POST' });
      message.textContent = `Redelivery of ${delivery.eventType} queued as attempt ${attempt.attempt}.`;
      await refresh();
    } catch (err) {
      message.textContent = `Could not redeliver: ${err.message}`;
      button.disabled = false;
    }
  };

  const renderRow = (d) => {
    const button = h('button', { type: 'button', class: 'secondary small', 'aria-label': `Redeliver ${d.eventType} (attempt ${d.attempt})` }, 'Redeliver');
    button.addEventListener('click', () => void redeliver(d, button));
    return h('tr', { 'data-delivery-id': d.id, 'data-state': d.state, 'data-attempt': d.attempt, 'data-trigger': d.trigger },
      h('td', { class: 'num' }, d.attempt),
      h('td', {}, d.eventType),
      h('td', {}, h('code', { title: d.webhookId }, d.webhookId.slice(0, 12))),
      h('td', {}, d.trigger),
      h('td', {}, h('span', { class: `badge delivery-${d.state}` }, d.state)),
      h('td', { class: 'num' }, d.statusCode ?? '—'),
      h('td', { class: 'num' }, d.latencyMs != null ? `${d.latencyMs} ms` : '—'),
      h('td', { class: 'outcome' }, d.error ?? ''),
      h('td', {}, d.attemptedAt ? formatTime(d.attemptedAt) : `due ${formatTime(d.scheduledAt)}`),
      h('td', {}, d.jobId ? h('a', { href: `#/jobs/${d.jobId}`, 'aria-label': `Job ${d.jobId}` }, h('code', {}, shortId(d.jobId))) : '—'),
      h('td', {}, button),
    );
  };

  const refresh = async () => {
    clearTimeout(timer);
    try {
      const [endpoint, page] = await Promise.all([api(base), api(`${base}/deliveries${query({ limit: 100, state: stateFilter.value })}`)]);
      if (disposed) return;
      heading.textContent = `Webhook endpoint ${endpoint.url}`;
      replaceChildren(details, [
        ['Project', endpoint.project],
        ['Events', endpoint.events.join(', ')],
        ['State', endpoint.enabled ? 'enabled' : `disabled (${endpoint.disabledReason ?? 'no reason given'})`],
        ['Failing since', formatTime(endpoint.failingSince)],
        ['Created', formatTime(endpoint.createdAt)],
      ].map(([t, v]) => h('div', {}, h('dt', {}, t), h('dd', {}, v))));
      replaceChildren(tbody, page.items.length ? page.items.map(renderRow) : h('tr', {}, h('td', { colspan: 11 }, 'No deliveries yet.')));
      // Keep the log current: quickly while an attempt is due, slowly otherwise.
      const dueSoon = page.items.some((d) => d.state === 'pending' && Date.parse(d.scheduledAt) < Date.now() + 60_000);
      timer = setTimeout(() => void refresh(), dueSoon ? POLL_MS : IDLE_POLL_MS);
    } catch (err) {
      message.textContent = err.status === 404 ? 'No such endpoint, or you may not see it.' : `Could not load the endpoint: ${err.message}`;
    }
  };
  void refresh();
  return {
    title: 'Webhook endpoint',
    element,
    dispose() {
      disposed = true;
      clearTimeout(timer);
    },
  };
}
