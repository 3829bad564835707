import { isTerminal } from './api.js';
import { session, sessionExpired } from './session.js';

const DEFAULT_RETRY_MS = 2000;

/**
 * Follows GET /v1/jobs/{id}/events. EventSource cannot send an Authorization header, and a
 * token in the query string would end up in logs and history, so this reads the
 * text/event-stream body with fetch() and parses it here. After a dropped connection it
 * reconnects with Last-Event-ID and resumes; it stops at the terminal event.
 *
 * onEvent(type, job) is called for every event; onError(error) when the stream cannot go on
 * (the job is gone, or the token no longer works).
 */
export function followJob(jobId, { onEvent, onError = () => {} }) {
  const controller = new AbortController();
  let lastEventId;
  let retryMs = DEFAULT_RETRY_MS;
  let closed = false;

  const close = () => {
    closed = true;
    controller.abort();
  };

  const dispatch = (block) => {
    let id;
    let event = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'retry' && /^\d+$/.test(value)) retryMs = Number(value);
    }
    if (id !== undefined) lastEventId = id;
    if (data.length === 0) return;
    const job = JSON.parse(data.join('\n'));
    onEvent(event, job);
    if (isTerminal(event) || isTerminal(job.state)) close();
  };

  const run = async () => {
    while (!closed) {
      try {
        const response = await fetch(`/v1/jobs/${encodeURIComponent(jobId)}/events`, {
          signal: controller.signal,
          cache: 'no-store',
          credentials: 'omit',
          headers: {
            accept: 'text/event-stream',
            authorization: `Bearer ${session.token}`,
            ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
          },
        });
        if (response.status === 401) {
          close();
          sessionExpired();
          return;
        }
        if (!response.ok || !response.body) {
          const problem = await response.json().catch(() => undefined);
          close();
          onError(new Error(problem?.detail ?? `The event stream answered ${response.status}.`));
          return;
        }
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        while (!closed) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer = (buffer + value).replace(/\r\n?/g, '\n');
          let end;
          while (!closed && (end = buffer.indexOf('\n\n')) !== -1) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            dispatch(block);
          }
        }
      } catch (err) {
        if (closed) return;
        // A network error or a dropped stream: wait and resume from the last event.
      }
      if (!closed) await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  };
  void run();
  return { close };
}
