import type { CliError } from '../cli-error.js';

export type OutputFormat = 'text' | 'json';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json'];

export interface TerminalStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Where a command's words go. stdout carries the answer only (one JSON document with
 * `--output json`, text otherwise); progress, notes and errors go to stderr.
 */
export class Output {
  constructor(
    readonly format: OutputFormat,
    readonly stdout: TerminalStream,
    readonly stderr: TerminalStream,
  ) {}

  get json(): boolean {
    return this.format === 'json';
  }

  /** The command's answer: `value` as JSON, or the text `render` makes of it. */
  result(value: unknown, render: () => string | string[]): void {
    if (this.json) {
      this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      return;
    }
    const text = render();
    const lines = Array.isArray(text) ? text.join('\n') : text;
    if (lines.length > 0) this.stdout.write(`${lines}\n`);
  }

  /** A side note for a person (never in JSON mode, never on stdout). */
  note(line: string): void {
    if (!this.json) this.stderr.write(`${line}\n`);
  }

  error(err: CliError): void {
    this.stderr.write(`error: ${err.message}\n`);
    if (this.json) {
      const problem = err.problem ? { ...err.problem } : {};
      this.stdout.write(`${JSON.stringify({ error: { exitCode: err.exitCode, message: err.message, ...problem } }, null, 2)}\n`);
    }
  }
}

