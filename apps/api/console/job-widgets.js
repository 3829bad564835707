import { h } from './dom.js';

/** The percentage a job's progress shows: the reported one, or 100 for a job that succeeded without any. */
export function percentOf(job) {
  const percent = job.progress?.percent;
  if (typeof percent === 'number') return Math.max(0, Math.min(100, Math.round(percent)));
  return job.state === 'succeeded' ? 100 : 0;
}

/** A <progress> bar (its own value and max are what assistive technology reads) with its text. */
export function progressBar(job, label) {
  const percent = percentOf(job);
  const progress = job.progress;
  const detail = progress
    ? `${progress.phase ?? ''} ${progress.total != null ? `${progress.done ?? 0}/${progress.total}` : progress.done ?? ''}`.trim()
    : job.state;
  return h('div', { class: 'progress-cell' },
    h('progress', { max: 100, value: percent, 'aria-label': label, 'aria-valuetext': `${percent} % (${detail})`, 'data-testid': 'progress', 'data-percent': percent }),
    h('span', { class: 'progress-text' }, `${percent} %`, h('span', { class: 'muted' }, ` ${detail}`)),
  );
}

export function stateBadge(state) {
  return h('span', { class: `badge state-${state}`, 'data-testid': 'state' }, state);
}
