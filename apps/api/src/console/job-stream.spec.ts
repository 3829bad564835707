import { afterEach, describe, expect, it } from '@jest/globals';
// The console's own browser module, run here with fetch and sessionStorage replaced.
// @ts-expect-error -- an untyped .js file outside the TypeScript build
import { followJob } from '../../console/job-stream.js';

interface Call {
  url: string;
  headers: Record<string, string>;
}

const TOKEN = 'afy_0123456789abcdefghij';
const realFetch = globalThis.fetch;
const storage = new Map<string, string>([['apiferry.console.token', TOKEN]]);
Object.assign(globalThis, {
  sessionStorage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v), removeItem: (k: string) => storage.delete(k) },
  location: { hash: '' },
});

/** Answers each fetch with the next scripted event-stream body (split into small chunks). */
function scriptFetch(bodies: string[], calls: Call[]): void {
  globalThis.fetch = (async (url: string, init: { headers: Record<string, string> }) => {
    calls.push({ url, headers: init.headers });
    const body = bodies.shift() ?? '';
    const chunks = body.match(/[\s\S]{1,7}/g) ?? [];
    const stream = new ReadableStream({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    });
    return new Response(stream, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  }) as typeof fetch;
}

const job = (state: string, done: number) => JSON.stringify({ id: 'j1', state, progress: { phase: 'importing', done, total: 10 } });

describe('followJob (the console reading GET /v1/jobs/{id}/events)', () => {
  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  it('sends the token as a header, resumes after a dropped stream with Last-Event-ID, and stops at the terminal event', async () => {
    const calls: Call[] = [];
    scriptFetch(
      [
        `retry: 10\n\n: keep-alive\n\nid: 100\nevent: progress\ndata: ${job('running', 3)}\n\nid: 200\nevent: progress\ndata: ${job('running', 6)}\n\n`,
        `retry: 10\n\nid: 300\nevent: succeeded\ndata: ${job('succeeded', 10)}\n\n`,
        'never asked for',
      ],
      calls,
    );
    const events: [string, number][] = [];
    await new Promise<void>((resolve) => {
      followJob('j1', {
        onEvent: (type: string, data: { state: string; progress: { done: number } }) => {
          events.push([type, data.progress.done]);
          if (data.state === 'succeeded') resolve();
        },
      });
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual([
      ['progress', 3],
      ['progress', 6],
      ['succeeded', 10],
    ]);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.url).toBe('/v1/jobs/j1/events');
    expect(calls[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(calls[0]!.headers['last-event-id']).toBeUndefined();
    expect(calls[1]!.headers['last-event-id']).toBe('200');
    expect(calls.every((c) => !c.url.includes(TOKEN))).toBe(true);
  });

  it('reports a job the API does not show, and does not retry', async () => {
    const calls: Call[] = [];
    globalThis.fetch = (async (url: string, init: { headers: Record<string, string> }) => {
      calls.push({ url, headers: init.headers });
      return new Response(JSON.stringify({ status: 404, detail: 'Job j2 was not found.' }), { status: 404, headers: { 'content-type': 'application/problem+json' } });
    }) as typeof fetch;
    const error = await new Promise<Error>((resolve) => followJob('j2', { onEvent: () => undefined, onError: resolve }));
    expect(error.message).toBe('Job j2 was not found.');
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toHaveLength(1);
  });
});
