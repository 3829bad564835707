import { h, replaceChildren } from './dom.js';

/** Rows drawn at most: a report of tens of thousands of assets stays usable; the filter narrows it. */
const ROW_LIMIT = 2000;

const COLUMNS = [
  { key: 'type', label: 'Type' },
  { key: 'name', label: 'Name' },
  { key: 'action', label: 'Action' },
  { key: 'outcome', label: 'Details' },
];

/** What a plan item's last column says: its error, its new name, its warnings. */
function outcomeOf(item) {
  const parts = [];
  if (item.error) parts.push(item.error);
  if (item.newName) parts.push(`as "${item.newName}"`);
  if (item.newBasePath) parts.push(`base path ${item.newBasePath}`);
  if (item.dependencyFailed) parts.push('a dependency failed');
  for (const warning of item.warnings ?? []) parts.push(warning);
  return parts.join('; ');
}

/**
 * The import plan/report as a table the operator can sort by any column (the headers are
 * buttons; aria-sort says the order) and narrow to one action.
 */
export function reportTable(items) {
  const rows = items.map((item) => ({ ...item, outcome: outcomeOf(item) }));
  let sort = { key: 'action', direction: 'ascending' };
  let actionFilter = '';

  const tbody = h('tbody');
  const headerCells = new Map();
  const count = h('p', { class: 'muted', 'data-testid': 'report-count', 'aria-live': 'polite' });

  const render = () => {
    const factor = sort.direction === 'ascending' ? 1 : -1;
    const shown = rows
      .filter((r) => !actionFilter || r.action === actionFilter)
      .sort((a, b) => factor * String(a[sort.key] ?? '').localeCompare(String(b[sort.key] ?? '')) || a.name.localeCompare(b.name));
    replaceChildren(tbody, shown.slice(0, ROW_LIMIT).map((r) =>
      h('tr', { 'data-action': r.action, class: `action-${r.action}` },
        h('td', {}, r.type),
        h('td', {}, r.name),
        h('td', {}, h('span', { class: `badge action-badge action-${r.action}` }, r.action)),
        h('td', { class: 'outcome' }, r.outcome),
      )));
    for (const [key, th] of headerCells) {
      th.setAttribute('aria-sort', key === sort.key ? sort.direction : 'none');
      th.querySelector('.sort-mark').textContent = key === sort.key ? (sort.direction === 'ascending' ? '▲' : '▼') : '';
    }
    const sortedBy = `sorted by ${COLUMNS.find((c) => c.key === sort.key).label.toLowerCase()} (${sort.direction})`;
    count.textContent = shown.length > ROW_LIMIT
      ? `The first ${ROW_LIMIT} of ${shown.length} matching assets (${rows.length} in all) shown, ${sortedBy}; choose an action to narrow the list.`
      : `${shown.length} of ${rows.length} assets shown, ${sortedBy}.`;
  };

  const headRow = h('tr', {}, COLUMNS.map((column) => {
    const th = h('th', { scope: 'col', 'aria-sort': 'none' },
      h('button', { type: 'button', class: 'sort', onclick: () => {
        sort = { key: column.key, direction: sort.key === column.key && sort.direction === 'ascending' ? 'descending' : 'ascending' };
        render();
      } }, column.label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' })),
    );
    headerCells.set(column.key, th);
    return th;
  }));

  const actions = [...new Set(rows.map((r) => r.action))].sort();
  const filter = h('div', { class: 'field inline' },
    h('label', { for: 'report-action' }, 'Show action'),
    h('select', { id: 'report-action', onchange: (event) => {
      actionFilter = event.target.value;
      render();
    } }, h('option', { value: '' }, 'all'), actions.map((a) => h('option', { value: a }, a))),
  );

  const table = h('table', { class: 'data', 'data-testid': 'report-table' },
    h('caption', {}, 'Assets in the archive and what the import does with each'),
    h('thead', {}, headRow),
    tbody,
  );
  render();
  return h('div', {}, filter, count, h('div', { class: 'table-wrap tall' }, table));
}

/** Per-type counts of the report: one row per asset type, one column per outcome. */
export function countsTable(counts) {
  const outcomes = ['created', 'overwritten', 'renamed', 'skipped', 'failed'];
  const types = Object.keys(counts ?? {});
  return h('table', { class: 'data counts', 'data-testid': 'counts-table' },
    h('caption', {}, 'Assets per type and outcome'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Type'), outcomes.map((o) => h('th', { scope: 'col', class: 'num' }, o)), h('th', { scope: 'col', class: 'num' }, 'total'))),
    h('tbody', {}, types.map((type) => {
      const row = counts[type] ?? {};
      const total = outcomes.reduce((sum, o) => sum + (row[o] ?? 0), 0);
      return h('tr', { 'data-type': type }, h('th', { scope: 'row' }, type), outcomes.map((o) => h('td', { class: 'num', 'data-outcome': o }, row[o] ?? 0)), h('td', { class: 'num' }, total));
    })),
  );
}
