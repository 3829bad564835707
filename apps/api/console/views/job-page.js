import { api, isTerminal } from '../api.js';
import { announce, formatTime, h, replaceChildren, shortId } from '../dom.js';
import { followJob } from '../job-stream.js';
import { progressBar, stateBadge } from '../job-widgets.js';
import { countsTable, reportTable } from '../report-table.js';
import { ThroughputSamples, throughputChart } from '../throughput.js';

const KIND_TITLES = {
  'archive.import': 'Import',
  'archive.export': 'Export',
  'project.inventory': 'Inventory',
  'proxy.deploy': 'Deployment',
  'proxy.undeploy': 'Undeployment',
};

/** One job: live state, progress, throughput, timeline, result (report, deployments, artifact), cancel. */
export function jobPageView(jobId) {
  let job;
  let stream;
  let resultKey;
  let disposed = false;
  const samples = new ThroughputSamples();
  /** Phases seen while this page was open, with when each began (from the progress timestamps). */
  const phases = [];

  const heading = h('h1', { id: 'job-heading', tabindex: -1 }, `Job ${shortId(jobId)}`);
  const message = h('p', { class: 'message', role: 'status', 'data-testid': 'job-message' });
  const summary = h('dl', { class: 'summary' });
  const actions = h('div', { class: 'actions' });
  const progressSlot = h('div', { 'data-testid': 'job-progress' });
  const rateText = h('p', { class: 'muted' });
  const chartSlot = h('div', { class: 'chart-wrap' });
  const timeline = h('ol', { class: 'timeline', 'data-testid': 'timeline' });
  const errorSlot = h('div');
  const resultSlot = h('div');
  const raw = h('pre', { class: 'raw' });

  const element = h('article', { 'aria-labelledby': 'job-heading' },
    heading,
    message,
    actions,
    summary,
    h('section', { 'aria-labelledby': 'progress-heading', class: 'panel' }, h('h2', { id: 'progress-heading' }, 'Progress'), progressSlot, rateText),
    h('section', { 'aria-labelledby': 'throughput-heading', class: 'panel' }, h('h2', { id: 'throughput-heading' }, 'Throughput (assets/s)'), chartSlot),
    h('section', { 'aria-labelledby': 'timeline-heading', class: 'panel' }, h('h2', { id: 'timeline-heading' }, 'Timeline'), timeline),
    errorSlot,
    resultSlot,
    h('details', { class: 'panel' }, h('summary', {}, 'The job as the API answers it (JSON)'), raw),
  );

  const cancelButton = h('button', { type: 'button', class: 'danger', 'data-testid': 'cancel', onclick: () => cancel() }, 'Cancel job');
  const downloadButton = h('button', { type: 'button', 'data-testid': 'download', onclick: () => download() }, 'Download archive');

  const cancel = async () => {
    cancelButton.disabled = true;
    try {
      const answer = await api(`/v1/jobs/${jobId}/cancel`, { method: 'POST' });
      show(answer);
      message.textContent = answer.state === 'canceled' ? 'The job was canceled.' : 'Cancellation requested: the worker stops the job at its next step.';
    } catch (err) {
      message.textContent = `Could not cancel: ${err.message}`;
      cancelButton.disabled = false;
    }
  };

  /** The presigned link is fetched with the token, then opened: the token never leaves this origin. */
  const download = async () => {
    downloadButton.disabled = true;
    try {
      const { url } = await api(`/v1/jobs/${jobId}/artifact-link`);
      const link = h('a', { href: url, download: job.result?.artifact?.fileName ?? 'archive.zip', rel: 'noopener', hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      message.textContent = 'The download started (the link expires after a while; ask again for a fresh one).';
    } catch (err) {
      message.textContent = `Could not download: ${err.message}`;
    } finally {
      downloadButton.disabled = false;
    }
  };

  const renderSummary = () => {
    const entries = [
      ['Id', h('code', {}, job.id)],
      ['Kind', job.kind],
      ['Project', job.project ?? '—'],
      ['State', stateBadge(job.state)],
      ['Attempts', job.attempts],
      ['Created', formatTime(job.createdAt)],
      ['Started', formatTime(job.startedAt)],
      ['Finished', formatTime(job.finishedAt)],
      ['Kept until', formatTime(job.expiresAt)],
    ];
    replaceChildren(summary, entries.map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value))));
  };

  const renderActions = () => {
    const children = [];
    if (!isTerminal(job.state)) {
      cancelButton.disabled = job.cancelRequested;
      cancelButton.textContent = job.cancelRequested ? 'Cancellation requested' : 'Cancel job';
      children.push(cancelButton);
    }
    if (job.kind === 'archive.export' && job.state === 'succeeded') children.push(downloadButton);
    replaceChildren(actions, children);
  };

  const renderProgress = () => {
    replaceChildren(progressSlot, progressBar(job, `Progress of job ${shortId(job.id)}`));
    const p = job.progress;
    rateText.textContent = p
      ? [`Phase: ${p.phase ?? '—'}`, p.rate != null ? `${p.rate} items/s on average in this phase` : null, p.etaSeconds != null && !isTerminal(job.state) ? `about ${p.etaSeconds} s left` : null].filter(Boolean).join(' · ')
      : 'No progress reported yet.';
    // A job that finished before this page opened has no live samples: say what is known instead.
    replaceChildren(chartSlot, samples.samples.length === 0 && isTerminal(job.state)
      ? h('p', { class: 'muted', 'data-testid': 'throughput-empty' }, `The job finished before this page was open, so there are no live samples.${p?.rate != null ? ` Its last phase (${p.phase}) ran at ${p.rate} items/s on average.` : ''}`)
      : throughputChart(samples.samples));
  };

  const renderTimeline = () => {
    const events = [{ at: job.createdAt, text: 'Created (queued)' }];
    if (job.startedAt) events.push({ at: job.startedAt, text: `Started (attempt ${job.attempts || 1})` });
    for (const phase of phases) events.push({ at: phase.at, text: `Phase: ${phase.phase}` });
    if (job.cancelRequested) events.push({ at: null, text: 'Cancellation requested' });
    if (job.finishedAt) events.push({ at: job.finishedAt, text: `Finished: ${job.state}` });
    events.sort((a, b) => (a.at === null ? 1 : b.at === null ? -1 : Date.parse(a.at) - Date.parse(b.at)));
    replaceChildren(timeline, events.map((e) => h('li', {}, h('time', { datetime: e.at ?? '' }, e.at ? formatTime(e.at) : '—'), ' ', e.text)));
  };

  const renderError = () => {
    if (!job.error) return replaceChildren(errorSlot);
    replaceChildren(errorSlot, h('section', { class: 'panel error', 'aria-labelledby': 'error-heading' },
      h('h2', { id: 'error-heading' }, job.error.title ?? 'The job failed'),
      h('p', { 'data-testid': 'job-error' }, job.error.detail ?? ''),
    ));
  };

  const renderResult = () => {
    const key = `${job.state}:${job.finishedAt ?? ''}:${Boolean(job.result)}`;
    if (key === resultKey) return;
    resultKey = key;
    const sections = [];
    const report = job.kind === 'archive.import' ? (job.result ?? job.error?.report) : undefined;
    if (report?.items) {
      sections.push(h('section', { class: 'panel', 'aria-labelledby': 'report-heading', 'data-testid': 'report' },
        h('h2', { id: 'report-heading' }, report.dryRun ? 'Import plan (dry run)' : report.applied ? 'Import report' : 'Import plan (not applied)'),
        h('p', {}, report.blocked ? 'The import was blocked: assets clash with the project or are invalid. Nothing was changed.' : report.applied ? 'The import was applied.' : 'Nothing was changed.'),
        countsTable(report.counts),
        (report.secrets?.warnings ?? []).length ? h('ul', { class: 'warnings' }, report.secrets.warnings.map((w) => h('li', {}, w))) : null,
        reportTable(report.items),
      ));
    }
    const deployment = job.result?.deploymentResult ?? (job.kind.startsWith('proxy.') ? job.result : undefined);
    if (deployment?.environmentResults) sections.push(deploymentSection(deployment));
    if (job.kind === 'archive.export' && job.result) sections.push(exportSection(job.result));
    if (job.kind === 'project.inventory' && job.result?.assets) sections.push(inventorySection(job.result));
    replaceChildren(resultSlot, sections);
  };

  const show = (next) => {
    const before = job;
    job = next;
    const p = job.progress;
    if (p?.phase && phases.at(-1)?.phase !== p.phase) phases.push({ phase: p.phase, at: p.updatedAt ?? new Date().toISOString() });
    if (!isTerminal(job.state)) samples.add(p);
    heading.textContent = `${KIND_TITLES[job.kind] ?? job.kind} job ${shortId(job.id)}`;
    document.title = `${heading.textContent} · apiferry console`;
    renderSummary();
    renderActions();
    renderProgress();
    renderTimeline();
    renderError();
    renderResult();
    raw.textContent = JSON.stringify(job, null, 2);
    if (before && before.state !== job.state) announce(`The job is ${job.state}.`);
  };

  const start = async () => {
    try {
      show(await api(`/v1/jobs/${encodeURIComponent(jobId)}`));
    } catch (err) {
      message.textContent = err.status === 404 ? 'No such job, or you may not see it.' : `Could not load the job: ${err.message}`;
      return;
    }
    if (disposed || isTerminal(job.state)) return;
    stream = followJob(jobId, {
      onEvent: (_type, next) => show(next),
      onError: (err) => (message.textContent = `Live updates stopped: ${err.message}`),
    });
  };
  void start();

  return {
    title: `Job ${shortId(jobId)}`,
    element,
    dispose() {
      disposed = true;
      stream?.close();
    },
  };
}

function deploymentSection(deployment) {
  return h('section', { class: 'panel', 'aria-labelledby': 'deploy-heading', 'data-testid': 'deployments' },
    h('h2', { id: 'deploy-heading' }, 'Deployment per environment'),
    h('p', {}, deployment.message ?? (deployment.success ? 'Deployed.' : 'The deployment failed.')),
    h('table', { class: 'data' },
      h('caption', { class: 'visually-hidden' }, 'Deployment result per environment'),
      h('thead', {}, h('tr', {}, ['Environment', 'Result', 'Message', 'Proxies'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, (deployment.environmentResults ?? []).map((e) =>
        h('tr', { 'data-environment': e.environmentName },
          h('th', { scope: 'row' }, e.environmentName),
          h('td', {}, h('span', { class: `badge ${e.success ? 'state-succeeded' : 'state-failed'}` }, e.success ? 'deployed' : 'failed')),
          h('td', {}, e.message ?? ''),
          h('td', {}, (e.proxies ?? []).map((p) => `${p.name} r${p.revision}${p.success ? (p.unchanged ? ' (unchanged)' : '') : ` (failed: ${p.message})`}`).join(', ') || '—'),
        ))),
    ),
  );
}

function exportSection(result) {
  const artifact = result.artifact ?? {};
  return h('section', { class: 'panel', 'aria-labelledby': 'export-heading', 'data-testid': 'export-result' },
    h('h2', { id: 'export-heading' }, 'Archive'),
    h('dl', { class: 'summary' },
      [['File', artifact.fileName], ['Size', artifact.size != null ? `${artifact.size} bytes` : '—'], ['SHA-256', h('code', {}, artifact.sha256 ?? '—')], ['Secrets', result.secrets ?? '—']].map(([t, v]) => h('div', {}, h('dt', {}, t), h('dd', {}, v ?? '—'))),
    ),
    h('table', { class: 'data' },
      h('caption', {}, 'Assets in the archive'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col', class: 'num' }, 'Count'))),
      h('tbody', {}, Object.entries(result.counts ?? {}).map(([type, count]) => h('tr', {}, h('th', { scope: 'row' }, type), h('td', { class: 'num' }, count)))),
    ),
  );
}

function inventorySection(result) {
  return h('section', { class: 'panel', 'aria-labelledby': 'inventory-heading' },
    h('h2', { id: 'inventory-heading' }, 'Inventory'),
    h('table', { class: 'data' },
      h('caption', {}, 'Assets per type'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col', class: 'num' }, 'Count'), h('th', { scope: 'col', class: 'num' }, 'Definition bytes'))),
      h('tbody', {}, result.assets.map((a) => h('tr', {}, h('th', { scope: 'row' }, a.type), h('td', { class: 'num' }, a.count), h('td', { class: 'num' }, a.definitionBytes)))),
    ),
  );
}
