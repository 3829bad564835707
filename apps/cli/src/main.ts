import { readFile } from 'node:fs/promises';
import { run } from './cli.js';

/** The package's version; main.js runs from dist/apps/cli/src. */
async function packageVersion(): Promise<string> {
  try {
    return (JSON.parse(await readFile(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const interrupt = new AbortController();
  const stop = () => interrupt.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const code = await run(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, signal: interrupt.signal }, await packageVersion());
  // Let what is buffered for a pipe drain before leaving.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}

await main();
