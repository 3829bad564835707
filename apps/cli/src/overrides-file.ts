import { readFile } from 'node:fs/promises';
import { isMap, isScalar, LineCounter, parseDocument, type YAMLMap } from 'yaml';
import { UsageError } from './cli-error.js';

/*
 * `--overrides FILE`: what to change in every imported proxy for one target environment.
 * YAML or JSON (by extension: .json is parsed as strict JSON, anything else as YAML, which
 * reads JSON too). Every mistake is reported as `--overrides FILE:LINE: what is wrong`,
 * a usage error (exit 3), before anything is uploaded.
 */

const OVERRIDE_FIELDS = ['routing', 'maintenanceMode', 'endpointMap'] as const;
/** Aliases expand; a file is a few lines, so a handful is plenty and a "billion laughs" is refused. */
const MAX_ALIAS_COUNT = 50;

export interface ImportOverrides {
  routing?: Record<string, unknown>;
  maintenanceMode?: boolean;
  endpointMap?: Record<string, string>;
}

export async function readOverrides(path: string): Promise<ImportOverrides> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`--overrides ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message}`);
  }
  return parseOverrides(text, path);
}

/** Parses and checks the text of an overrides file; `path` names it in messages. */
export function parseOverrides(text: string, path: string): ImportOverrides {
  const json = /\.json$/i.test(path);
  const lines = new LineCounter();
  const fail = (offset: number | undefined, what: string): never => {
    const line = offset === undefined ? '' : `:${lines.linePos(offset).line}`;
    throw new UsageError(`--overrides ${path}${line}: ${what}`);
  };
  if (json) checkJsonSyntax(text, path);
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const at = syntax.linePos?.[0] ?? lines.linePos(syntax.pos[0]);
    throw new UsageError(`--overrides ${path}:${at.line}: not valid ${json ? 'JSON' : 'YAML'}: ${firstLine(syntax.message)}`);
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === undefined))) {
    fail(undefined, `is empty; write any of ${OVERRIDE_FIELDS.join(', ')}`);
  }
  if (!isMap(root)) fail(root?.range?.[0], `must hold a ${json ? 'JSON object' : 'mapping'} with any of ${OVERRIDE_FIELDS.join(', ')}`);
  for (const pair of (root as YAMLMap).items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (!key || !(OVERRIDE_FIELDS as readonly string[]).includes(key)) {
      fail(isScalar(pair.key) ? pair.key.range?.[0] : undefined, `unknown field ${key ? `"${key}"` : '(not a plain name)'}; the fields are ${OVERRIDE_FIELDS.join(', ')}`);
    }
  }

  let value: Record<string, unknown>;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as Record<string, unknown>;
  } catch (err) {
    return fail(undefined, (err as Error).message);
  }
  const at = (key: string, inner?: string): number | undefined => {
    const node = inner === undefined ? doc.get(key, true) : doc.getIn([key, inner], true);
    return (node as { range?: [number, number, number] } | undefined)?.range?.[0];
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

  if (value.routing !== undefined && !isObject(value.routing)) fail(at('routing'), '"routing" must be a mapping (algorithm, addressList, timeoutMs)');
  if (value.maintenanceMode !== undefined && typeof value.maintenanceMode !== 'boolean') {
    fail(at('maintenanceMode'), `"maintenanceMode" must be true or false, not ${JSON.stringify(value.maintenanceMode)}`);
  }
  if (value.endpointMap !== undefined) {
    if (!isObject(value.endpointMap)) fail(at('endpointMap'), '"endpointMap" must map address prefixes to addresses');
    for (const [from, to] of Object.entries(value.endpointMap as Record<string, unknown>)) {
      if (typeof to !== 'string') fail(at('endpointMap', from), `"endpointMap" maps "${from}" to ${JSON.stringify(to)}; addresses are strings (URLs)`);
    }
  }
  // The server checks the contents in depth (algorithms, URLs) and names the field.
  return value as ImportOverrides;
}

/** Strict JSON for .json files: YAML would accept what JSON tools would not. */
function checkJsonSyntax(text: string, path: string): void {
  try {
    JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const line = /\(line (\d+) column \d+\)/.exec(message)?.[1];
    throw new UsageError(`--overrides ${path}${line ? `:${line}` : ''}: not valid JSON: ${message.replace(/\s*\(line \d+ column \d+\)/, '')}`);
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}
