import { stringify } from 'yaml';
import type { DocumentFormat } from './extensions.js';

export const CONTENT_TYPES: Record<DocumentFormat, string> = { json: 'application/json', yaml: 'application/yaml' };

/** The document as text in the requested format; YAML without anchors, so any reader can read it. */
export function serializeDocument(document: Record<string, unknown>, format: DocumentFormat): string {
  return format === 'json' ? `${JSON.stringify(document, null, 2)}\n` : stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 });
}
