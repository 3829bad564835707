import { ValidationError } from '#core';

/** The largest properties file taken (it maps URLs; megabytes of them would be a mistake). */
export const PROPERTIES_MAX_BYTES = 256 * 1024;

/**
 * Parses the import's properties file, which maps endpoint URLs of the source environment
 * to the target's, one `source=target` per line in Java properties syntax: `#` or `!`
 * comments, `=` or `:` separators, backslash escapes (`http\://host` as Java writes it),
 * and a trailing backslash continuing a line.
 */
export function parseEndpointProperties(text: string): Record<string, string> {
  const map: Record<string, string> = {};
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = pending + (pending ? raw.trimStart() : raw);
    if (/(^|[^\\])(\\\\)*\\$/.test(line)) {
      pending = line.slice(0, -1);
      continue;
    }
    pending = '';
    logical.push(line);
  }
  if (pending) logical.push(pending);
  logical.forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('!')) return;
    const separator = findSeparator(trimmed);
    if (separator < 0) throw new ValidationError(`Properties line ${index + 1} has no "=": each line maps a source endpoint URL to a target one.`);
    const source = unescape(trimmed.slice(0, separator).trim());
    const target = unescape(trimmed.slice(separator + 1).trim());
    if (!/^https?:\/\/\S+$/.test(source) || !/^https?:\/\/\S+$/.test(target)) {
      throw new ValidationError(`Properties line ${index + 1} must map an http(s) URL to an http(s) URL.`);
    }
    map[source] = target;
  });
  return map;
}

/** The first unescaped "=", else the first unescaped ":" that does not start "://". */
function findSeparator(line: string): number {
  let colon = -1;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') {
      i++;
      continue;
    }
    if (line[i] === '=') return i;
    if (line[i] === ':' && colon < 0 && line.slice(i + 1, i + 3) !== '//') colon = i;
  }
  return colon;
}

function unescape(value: string): string {
  return value.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, escaped: string) => {
    if (escaped.length === 5) return String.fromCharCode(parseInt(escaped.slice(1), 16));
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[escaped] ?? escaped;
  });
}
