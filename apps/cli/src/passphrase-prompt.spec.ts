import { EventEmitter } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import { ExitCode } from './cli-error.js';
import { promptHidden, resolvePassphrase } from './passphrase-prompt.js';

/** A terminal whose keys the test types; it records raw mode switches and what was written. */
function terminal(isTTY = true) {
  const input = Object.assign(new EventEmitter(), {
    isTTY,
    raw: [] as boolean[],
    setRawMode(raw: boolean) {
      this.raw.push(raw);
    },
    resume() {},
    pause() {},
  });
  const written: string[] = [];
  const output = { write: (s: string) => written.push(s) > 0 };
  const type = (...chunks: string[]) => setImmediate(() => chunks.forEach((c) => input.emit('data', Buffer.from(c))));
  return { input, output, written, type };
}

describe('asking for a passphrase', () => {
  it('reads a line in raw mode without echoing it; backspace and Ctrl-U edit it', async () => {
    const t = terminal();
    t.type('secrex', '\x7f', 't words\r');
    await expect(promptHidden(t.input, t.output, 'passphrase: ')).resolves.toBe('secret words');
    expect(t.input.raw).toEqual([true, false]);
    expect(t.written).toEqual(['passphrase: ', '\n']);

    const cleared = terminal();
    cleared.type('wrong', '\x15', 'right\n');
    await expect(promptHidden(cleared.input, cleared.output, '? ')).resolves.toBe('right');
  });

  it('Ctrl-C interrupts (exit 130); without a terminal it is a usage error', async () => {
    const t = terminal();
    t.type('abc\x03');
    await expect(promptHidden(t.input, t.output, '? ')).rejects.toMatchObject({ exitCode: ExitCode.Interrupted });
    expect(t.input.raw).toEqual([true, false]);
    const pipe = terminal(false);
    await expect(promptHidden(pipe.input, pipe.output, '? ')).rejects.toMatchObject({ exitCode: ExitCode.Usage, message: expect.stringContaining('--passphrase-env') });
  });

  it('sealing asks twice and refuses two different answers; both flags at once are refused', async () => {
    const same = terminal();
    same.type('correct horse\r');
    setTimeout(() => same.input.emit('data', Buffer.from('correct horse\r')), 20);
    await expect(resolvePassphrase({ passphrasePrompt: true }, { env: {}, stdin: same.input, stderr: same.output }, 'seal')).resolves.toBe('correct horse');
    expect(same.written.filter((w) => w !== '\n')).toEqual(['passphrase to seal the secrets with: ', 'the same passphrase again: ']);

    const differ = terminal();
    differ.type('correct horse\r');
    setTimeout(() => differ.input.emit('data', Buffer.from('correct hose\r')), 20);
    await expect(resolvePassphrase({ passphrasePrompt: true }, { env: {}, stdin: differ.input, stderr: differ.output }, 'seal')).rejects.toThrow(/differ/);

    const opening = terminal();
    opening.type('correct horse\r');
    await expect(resolvePassphrase({ passphrasePrompt: true }, { env: {}, stdin: opening.input, stderr: opening.output }, 'open')).resolves.toBe('correct horse');

    await expect(resolvePassphrase({ passphrasePrompt: true, passphraseEnv: 'X' }, { env: { X: 'y' }, stderr: opening.output }, 'open')).rejects.toThrow(/choose one/);
    await expect(resolvePassphrase({ passphraseEnv: 'X' }, { env: { X: 'from env' }, stderr: opening.output }, 'open')).resolves.toBe('from env');
  });
});
