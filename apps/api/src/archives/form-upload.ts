import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { ValidationError } from '#core';

export interface FormUpload<T> {
  fields: Record<string, string>;
  /** Resolved with what `onFile` returned, once the file part has been consumed. */
  stored: T;
  fileName: string;
}

/**
 * Reads a multipart/form-data request whose one file part is streamed by `onFile` as it
 * arrives (fields may come before or after it). Fails when the named file part is absent.
 */
export async function readFormUpload<T>(
  request: FastifyRequest,
  fileField: (name: string) => boolean,
  onFile: (fileName: string, stream: Readable) => Promise<T>,
): Promise<FormUpload<T> | { fields: Record<string, string>; stored?: undefined; fileName?: undefined }> {
  const fields: Record<string, string> = {};
  let stored: T | undefined;
  let fileName: string | undefined;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (!fileField(part.fieldname) || stored !== undefined) {
        part.file.resume(); // drain what we do not take
        continue;
      }
      fileName = part.filename;
      stored = await onFile(part.filename, part.file);
    } else {
      fields[part.fieldname] = String(part.value);
    }
  }
  if (stored === undefined || fileName === undefined) return { fields };
  return { fields, stored, fileName };
}

export function parseJsonField(fields: Record<string, string>, name: string): unknown {
  const raw = fields[name];
  if (raw === undefined || raw.trim() === '') return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new ValidationError(`The ${name} field is not valid JSON.`, [{ pointer: `/${name}`, detail: 'must be a JSON object' }]);
  }
}
