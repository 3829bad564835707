import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ArchiveWriter } from '#archive';
import { proxyBody } from './factory.js';

export interface ExpectedProxy {
  name: string;
  /** Resource name → SHA-256 of its content. */
  resources: Map<string, string>;
}

/** Bytes of randomness per resource; as base64 that is 1,000,000 characters, under the 1 MiB a resource may hold. */
const RESOURCE_RANDOM_BYTES = 750_000;

/**
 * Writes an archive the way an export does (the product's ArchiveWriter, proxy documents
 * shaped as the export shapes them, resources as their own entries), streamed to a file:
 * `proxies` × `resourcesPerProxy` resources of 1,000,000 random characters each (about
 * 0.95 MiB). Random base64 does not compress (deflate gets 75 % at 60 ms a MiB), so the
 * entries are stored (zlib level 0): the archive's size is its resources', made in about a
 * hundredth of a second per MiB instead of the tenth an export's deflate takes on this data.
 */
export async function writeLargeArchive(file: string, shape: { proxies: number; resourcesPerProxy: number; namePrefix?: string }): Promise<ExpectedProxy[]> {
  const writer = new ArchiveWriter({ source: { instance: 'test', project: 'large' }, zlibLevel: 0, options: { include: { resources: true } } });
  const written = pipeline(writer.output, createWriteStream(file));
  const expected: ExpectedProxy[] = [];
  for (let p = 0; p < shape.proxies; p++) {
    const name = `${shape.namePrefix ?? 'large'}-${String(p).padStart(2, '0')}`;
    const resources = new Map<string, string>();
    const names = Array.from({ length: shape.resourcesPerProxy }, (_, r) => `blob-${r}.txt`);
    const doc = { ...proxyBody({ name }), uuid: randomUUID(), resources: names.map((n) => ({ name: n, contentType: 'text/plain' })) };
    const entry = await writer.addJson('apiProxy', { uuid: doc.uuid, name }, doc);
    for (const resourceName of names) {
      const content = Buffer.from(randomBytes(RESOURCE_RANDOM_BYTES).toString('base64'));
      resources.set(resourceName, createHash('sha256').update(content).digest('hex'));
      await writer.addResource(entry.safeName, resourceName, Readable.from([content]));
    }
    expected.push({ name, resources });
  }
  await writer.finish();
  await written;
  return expected;
}
