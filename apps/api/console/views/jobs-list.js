import { allProjectNames, api, isTerminal, JOB_KINDS, JOB_STATES, query } from '../api.js';
import { announce, formatTime, h, replaceChildren, shortId } from '../dom.js';
import { followJob } from '../job-stream.js';
import { progressBar, stateBadge } from '../job-widgets.js';

/** Live streams held by the list at most: a browser opens only six connections per host. */
const MAX_LIVE_STREAMS = 3;
const REFRESH_MS = 5000;

/** The jobs list: filters, a page of jobs, live progress for the ones in flight. */
export function jobsListView(params) {
  const filters = { project: params.get('project') ?? '', kind: params.get('kind') ?? '', state: params.get('state') ?? '' };
  const streams = new Map();
  const rowsById = new Map();
  let jobs = [];
  let nextCursor = null;
  let refreshTimer;
  let disposed = false;

  const heading = h('h1', { id: 'jobs-heading', tabindex: -1 }, 'Jobs');
  const status = h('p', { class: 'muted', 'data-testid': 'list-status' });
  const tbody = h('tbody');
  const moreButton = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => load(true) }, 'Load more jobs');

  const select = (name, labelText, options) =>
    h('div', { class: 'field' },
      h('label', { for: `filter-${name}` }, labelText),
      h('select', { id: `filter-${name}`, name },
        h('option', { value: '' }, 'all'),
        options.map((o) => h('option', { value: o, selected: o === filters[name] }, o))),
    );
  const projectSelect = select('project', 'Project', filters.project ? [filters.project] : []);
  const form = h('form', { class: 'filters', 'aria-label': 'Filter jobs', onsubmit: (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = new URLSearchParams();
    for (const name of ['project', 'kind', 'state']) if (data.get(name)) next.set(name, String(data.get(name)));
    location.hash = `#/jobs${next.size ? `?${next}` : ''}`;
  } },
    projectSelect,
    select('kind', 'Kind', JOB_KINDS),
    select('state', 'State', JOB_STATES),
    h('div', { class: 'field field-actions' }, h('button', { type: 'submit' }, 'Apply filters')),
  );

  const table = h('table', { class: 'data', 'data-testid': 'jobs-table' },
    h('caption', { class: 'visually-hidden' }, 'Jobs, newest first'),
    h('thead', {}, h('tr', {}, ['Job', 'Kind', 'Project', 'State', 'Progress', 'Created'].map((c) => h('th', { scope: 'col' }, c)))),
    tbody,
  );

  const element = h('section', { 'aria-labelledby': 'jobs-heading' }, heading, form, status, h('div', { class: 'table-wrap' }, table), moreButton);

  /**
   * Rows are kept per job and updated cell by cell, so a refresh or a stream event never
   * replaces the link a keyboard user is on.
   */
  const renderRow = (job) => {
    const existing = rowsById.get(job.id);
    if (existing) {
      existing.row.dataset.state = job.state;
      replaceChildren(existing.stateCell, stateBadge(job.state));
      replaceChildren(existing.progressCell, progressBar(job, `Progress of ${job.kind} job ${shortId(job.id)}`));
      return existing.row;
    }
    const stateCell = h('td', {}, stateBadge(job.state));
    const progressCell = h('td', {}, progressBar(job, `Progress of ${job.kind} job ${shortId(job.id)}`));
    const row = h('tr', { 'data-job-id': job.id, 'data-state': job.state },
      h('td', {}, h('a', { href: `#/jobs/${job.id}`, 'aria-label': `Job ${job.id}` }, h('code', {}, shortId(job.id)))),
      h('td', {}, job.kind),
      h('td', {}, job.project ?? '—'),
      stateCell,
      progressCell,
      h('td', {}, formatTime(job.createdAt)),
    );
    rowsById.set(job.id, { row, stateCell, progressCell });
    return row;
  };

  const updateJob = (job) => {
    const index = jobs.findIndex((j) => j.id === job.id);
    if (index === -1) return;
    const before = jobs[index];
    jobs[index] = job;
    renderRow(job);
    if (before.state !== job.state && isTerminal(job.state)) announce(`Job ${shortId(job.id)} ${job.state}.`);
  };

  /** Streams the first few jobs in flight; the periodic refresh covers the rest. */
  const syncStreams = () => {
    const inFlight = jobs.filter((j) => !isTerminal(j.state)).slice(0, MAX_LIVE_STREAMS).map((j) => j.id);
    for (const [id, stream] of streams) {
      if (!inFlight.includes(id)) {
        stream.close();
        streams.delete(id);
      }
    }
    for (const id of inFlight) {
      if (streams.has(id)) continue;
      streams.set(id, followJob(id, {
        onEvent: (_type, job) => updateJob(job),
        onError: () => streams.delete(id),
      }));
    }
  };

  const load = async (append = false) => {
    try {
      const page = await api(`/v1/jobs${query({ ...filters, limit: 50, cursor: append ? nextCursor : undefined })}`);
      if (disposed) return;
      const before = jobs.map((j) => j.id).join();
      jobs = append ? [...jobs, ...page.items] : page.items;
      nextCursor = page.nextCursor;
      const rows = jobs.map(renderRow);
      // Only a changed set or order of jobs rebuilds the table body.
      if (jobs.map((j) => j.id).join() !== before || tbody.children.length !== rows.length) replaceChildren(tbody, rows);
      for (const id of rowsById.keys()) if (!jobs.some((j) => j.id === id)) rowsById.delete(id);
      status.textContent = jobs.length === 0 ? 'No jobs match these filters.' : `${jobs.length} job${jobs.length === 1 ? '' : 's'} shown.`;
      moreButton.hidden = !nextCursor;
      syncStreams();
    } catch (err) {
      status.textContent = `Could not load jobs: ${err.message}`;
    }
  };

  const loadProjects = async () => {
    try {
      const names = await allProjectNames();
      if (disposed) return;
      const selectElement = projectSelect.querySelector('select');
      if (filters.project && !names.includes(filters.project)) names.unshift(filters.project);
      replaceChildren(selectElement, h('option', { value: '' }, 'all'), names.map((n) => h('option', { value: n, selected: n === filters.project }, n)));
    } catch {
      // The list still works without the project names; the filter keeps what the URL said.
    }
  };

  void loadProjects();
  void load();
  refreshTimer = setInterval(() => {
    // Only the first page refreshes by itself; pages loaded with "more" stay as they are.
    if (!nextCursor || jobs.length <= 50) void load();
  }, REFRESH_MS);

  return {
    title: 'Jobs',
    element,
    dispose() {
      disposed = true;
      clearInterval(refreshTimer);
      for (const stream of streams.values()) stream.close();
      streams.clear();
    },
  };
}
