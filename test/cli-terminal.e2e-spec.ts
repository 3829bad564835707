import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CLI, NODE, runCli } from './support/cli-process.js';
import { createProject, createProxy } from './support/factory.js';
import { ApiClient } from './support/http.js';
import { startProcess, type RunningProcess } from './support/service.js';
import { RUN_DIR, testEnv } from './support/test-env.js';

const run = promisify(execFile);
/** Each exported proxy takes this long (JOB_STEP_DELAY_MS), so a job runs long enough to watch. */
const STEP_DELAY_MS = 200;
const PROXIES = 30;

/**
 * A terminal for the CLI: a detached tmux session on a private server socket (nothing
 * shared with anyone's tmux), 120 × 24, whose screen the test reads with capture-pane.
 * tmux must be installed (CI installs it).
 */
class TmuxTerminal {
  private readonly socket = `apiferry-cli-${randomBytes(4).toString('hex')}`;

  async start(command: string, env: Record<string, string>): Promise<void> {
    const vars = Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
    try {
      await run('tmux', ['-L', this.socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'cli', '-x', '120', '-y', '24', ...vars, command]);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('this test needs tmux: apt-get install -y tmux (.ci/run installs it)');
      throw err;
    }
  }

  async screen(): Promise<string> {
    const { stdout } = await run('tmux', ['-L', this.socket, 'capture-pane', '-p', '-t', 'cli']);
    return stdout;
  }

  /** Types `text` (literally) and, unless told not to, Enter. */
  async type(text: string, enter = true): Promise<void> {
    await run('tmux', ['-L', this.socket, 'send-keys', '-t', 'cli', '-l', text]);
    if (enter) await run('tmux', ['-L', this.socket, 'send-keys', '-t', 'cli', 'Enter']);
  }

  /** Polls the screen until `pattern` shows; every screen seen is kept in `seen`. */
  async waitFor(pattern: RegExp, seen: string[] = [], timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = await this.screen();
      seen.push(screen);
      if (pattern.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`the terminal never showed ${pattern}:\n${screen}`);
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    await run('tmux', ['-L', this.socket, 'kill-server']).catch(() => undefined);
  }
}

describe('the CLI on a terminal', () => {
  let api: RunningProcess;
  let worker: RunningProcess;
  let admin: ApiClient;
  let workDir: string;
  let project: string;
  const prefix = `${testEnv().queuePrefix}-cli-terminal`;

  beforeAll(async () => {
    [api, worker] = await Promise.all([startProcess('api', { QUEUE_PREFIX: prefix }), startProcess('worker', { QUEUE_PREFIX: prefix, JOB_STEP_DELAY_MS: String(STEP_DELAY_MS) })]);
    admin = new ApiClient(api.url, testEnv().adminToken);
    workDir = await mkdtemp(join(tmpdir(), 'apiferry-cli-terminal-'));
    project = await createProject(admin);
    for (let i = 0; i < PROXIES; i++) await createProxy(admin, project, { name: `orders-${String(i).padStart(2, '0')}` });
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('redraws a progress bar in place under tmux: two captures show it moved, then the job\'s end state and the download at 100%', async () => {
    const terminal = new TmuxTerminal();
    const archive = join(workDir, 'orders.zip');
    const screens: string[] = [];
    try {
      await terminal.start(`${NODE} ${CLI} export --project ${project} -o ${archive}; echo APIFERRY-EXIT=$?; sleep 120`, {
        HOME: workDir,
        APIFERRY_CONFIG: join(workDir, 'config.json'),
        APIFERRY_SERVER: api.url,
        APIFERRY_TOKEN: testEnv().adminToken,
      });
      const deadline = Date.now() + 60_000;
      for (;;) {
        const screen = await terminal.screen();
        screens.push(screen);
        if (screen.includes('APIFERRY-EXIT=') || Date.now() > deadline) break;
        await sleep(150);
      }
    } finally {
      await terminal.stop();
    }
    const last = screens.at(-1) as string;
    expect(last).toMatch(/^APIFERRY-EXIT=0$/m);

    const BAR = /^exporting proxies {2}\[([#-]{24})\] +(\d+)% {2}(\d+)\/30\b.*$/gm;
    const seen = screens.map((screen) => [...screen.matchAll(BAR)]);
    // In place: never two bar lines of one phase on the screen.
    expect(seen.every((bars) => bars.length <= 1)).toBe(true);
    const moments = seen.filter((bars) => bars.length === 1).map(([bar]) => ({ line: bar![0], filled: bar![1]!.replace(/-/g, '').length, percent: Number(bar![2]) }));
    const moving = moments.filter((m) => m.percent < 100);
    const distinct = [...new Set(moving.map((m) => m.percent))];
    // Two moments at least at which the bar stood at different places, in order.
    expect(distinct.length).toBeGreaterThanOrEqual(2);
    expect(moving.map((m) => m.percent)).toEqual([...moving.map((m) => m.percent)].sort((a, b) => a - b));
    expect(moving.at(-1)!.filled).toBeGreaterThan(moving[0]!.filled);
    expect(moving.some((m) => /ETA \d+:\d\d/.test(m.line) && /\d+\.\d\/s/.test(m.line))).toBe(true);
    // Finished: the job's line is redrawn as its end state, the download's bar (at 100%)
    // follows on its own line, then the answer.
    expect(last).not.toMatch(/^exporting proxies/m);
    expect(last).toMatch(/^succeeded\s*\ndownloading/m);
    expect(last).toMatch(/^downloading {2}\[#{24}\] +100% {2}[\d.]+ KiB\/[\d.]+ KiB/m);
    expect(last).toContain(`saved ${archive}`);

    // For docs/CLI-PROGRESS.md: two moments mid-job and the finished screen, trailing blank lines cut.
    const at = (percent: number) => screens.find((screen) => [...screen.matchAll(BAR)].some((bar) => Number(bar[2]) === percent)) as string;
    const shown = [at(distinct[Math.floor(distinct.length / 3)]!), at(distinct.at(-1)!), last].map((screen) => screen.trimEnd());
    await mkdir(RUN_DIR, { recursive: true });
    await writeFile(join(RUN_DIR, `cli-progress-${process.pid}.txt`), shown.join('\n----\n'));
  });

  it('--passphrase-prompt asks on the terminal without echo: twice to seal an export, once to open it on import', async () => {
    const small = await createProject(admin);
    await createProxy(admin, small, { name: 'orders' });
    const target = await createProject(admin);
    const archive = join(workDir, 'sealed.zip');
    const passphrase = 'correct horse battery staple';
    const env = { HOME: workDir, APIFERRY_CONFIG: join(workDir, 'config.json'), APIFERRY_SERVER: api.url, APIFERRY_TOKEN: testEnv().adminToken };
    const seen: string[] = [];
    const terminal = new TmuxTerminal();
    try {
      await terminal.start(
        [
          `${NODE} ${CLI} export --project ${small} -o ${archive} --passphrase-prompt; echo EXPORT-EXIT=$?`,
          `${NODE} ${CLI} import --project ${target} ${archive} --passphrase-prompt; echo WRONG-EXIT=$?`,
          `${NODE} ${CLI} import --project ${target} ${archive} --passphrase-prompt; echo IMPORT-EXIT=$?`,
          'sleep 120',
        ].join('; '),
        env,
      );
      await terminal.waitFor(/^passphrase to seal the secrets with:\s*$/m, seen);
      await terminal.type(passphrase);
      await terminal.waitFor(/^the same passphrase again:\s*$/m, seen);
      await terminal.type(passphrase);
      await terminal.waitFor(/^EXPORT-EXIT=\d+$/m, seen);
      await terminal.waitFor(/^the archive's passphrase:\s*$/m, seen);
      await terminal.type('not the passphrase');
      await terminal.waitFor(/^WRONG-EXIT=\d+$/m, seen);
      // The second import's prompt: one with no WRONG-EXIT after it.
      await terminal.waitFor(/^the archive's passphrase:(?![\s\S]*WRONG-EXIT)/m, seen);
      await terminal.type(passphrase);
      await terminal.waitFor(/^IMPORT-EXIT=\d+$/m, seen);
    } finally {
      await terminal.stop();
    }
    const last = seen.at(-1) as string;
    expect(last).toMatch(/^EXPORT-EXIT=0$/m);
    expect(last).toMatch(/, secrets sealed$/m);
    expect(last).toMatch(/^WRONG-EXIT=1$/m);
    expect(last).toMatch(/^error: .*passphrase/im);
    expect(last).toMatch(/^IMPORT-EXIT=0$/m);
    expect(last).toContain(`imported sealed.zip into ${target}`);
    // Nothing typed was ever on the screen.
    expect(seen.some((screen) => screen.includes(passphrase) || screen.includes('not the passphrase'))).toBe(false);
    expect((await admin.get(`/v1/projects/${target}/apiProxies`)).body.items.map((p: any) => p.name)).toEqual(['orders']);
  });

  it('jobs logs --follow notes each phase it sees while the job runs, then tells the rest', async () => {
    const started = await runCli(['export', '--project', project, '--no-wait'], { HOME: workDir, APIFERRY_SERVER: api.url, APIFERRY_TOKEN: testEnv().adminToken }, { cwd: workDir });
    const id = started.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const followed = await runCli(['jobs', 'logs', '--follow', id, '--output', 'json'], { HOME: workDir, APIFERRY_SERVER: api.url, APIFERRY_TOKEN: testEnv().adminToken }, { cwd: workDir });
    expect(followed.code).toBe(0);
    const story = JSON.parse(followed.stdout);
    const events = story.timeline.map((e: any) => (e.event === 'phase' ? e.phase : e.event));
    expect(events[0]).toBe('created');
    expect(events.at(-1)).toBe('succeeded');
    expect(events).toContain('exporting proxies');
    expect(events.indexOf('started')).toBeLessThan(events.indexOf('exporting proxies'));
    // Seen while following: the phase reached part of the way and then more of it.
    const exporting = story.timeline.find((e: any) => e.phase === 'exporting proxies');
    expect(exporting).toMatchObject({ total: PROXIES });
    expect(exporting.done).toBeGreaterThan(0);
    expect(story.summary).toMatch(/^exported 30 API proxies as /);
  });
});
