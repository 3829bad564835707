import { session, sessionExpired } from './session.js';

/** An error answer of the native API, carrying its problem document. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `The API answered ${status}.`);
    this.status = status;
    this.problem = problem;
  }
}

/** One call to the native API with the session's bearer token; JSON in and out. */
export async function api(path, { method = 'GET', body, token = session.token, signal } = {}) {
  const response = await fetch(path, {
    method,
    signal,
    cache: 'no-store',
    credentials: 'omit',
    headers: {
      accept: 'application/json, application/problem+json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (response.status === 401 && token === session.token && session.token) sessionExpired();
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

/** A query string from the set values of an object. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const JOB_KINDS = ['project.inventory', 'archive.export', 'archive.import', 'proxy.deploy', 'proxy.undeploy'];
export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'canceled'];
export const TERMINAL_STATES = ['succeeded', 'failed', 'canceled'];

export function isTerminal(state) {
  return TERMINAL_STATES.includes(state);
}

/**
 * The names of every project the token can see, page by page: a picker that stopped at
 * the first page would hide the rest from an instance with hundreds of projects.
 */
export async function allProjectNames() {
  const names = [];
  let cursor;
  do {
    const page = await api(`/v1/projects${query({ limit: 500, cursor })}`);
    for (const project of page.items) names.push(project.name);
    cursor = page.nextCursor;
  } while (cursor);
  return names;
}
