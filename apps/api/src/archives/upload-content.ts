import { ASSET_DIRECTORIES, DEFAULT_ARCHIVE_LIMITS, isArchiveRejected, MANIFEST_PATH, readCentralDirectory, s3Source } from '#archive';
import { ValidationError } from '#core';
import type { ObjectStore } from '#storage';
import { startsLikeZip } from './zip-upload-guard.js';

/**
 * What an upload to `/v1/.../imports` holds, judged by its content:
 * - `archive`: a ZIP with the apiferry archive's manifest.json, or with asset documents
 *   where an archive keeps them (`apiProxies/x.json`, ...) but no manifest, or too broken
 *   to list: the archive import names what is wrong with it, as it always has;
 * - `description`: a ZIP without manifest.json, i.e. the folder of a multi-file OpenAPI
 *   description;
 * - `document`: not a ZIP; the OpenAPI import checks that it is a JSON or YAML document
 *   with `openapi` or `swagger` (that key may be anywhere in it, so only the worker, which
 *   reads the whole document, can tell).
 */
export type UploadContent = 'archive' | 'description' | 'document';

/** An asset document where an apiferry archive keeps it, e.g. `apiProxies/orders.json`. */
const ARCHIVE_ASSET_ENTRY = new RegExp(`^(${Object.values(ASSET_DIRECTORIES).join('|')})/[^/]+\\.json$`);

/**
 * Reads the upload's first bytes and, for a ZIP, its central directory only (ranged reads
 * of the object, no entry is inflated); the archive itself is read by the worker.
 */
export async function detectUploadContent(store: ObjectStore, key: string): Promise<UploadContent> {
  if (!startsLikeZip(await firstBytes(store, key))) return 'document';
  let names: string[];
  try {
    const directory = await readCentralDirectory(s3Source({ s3: store.s3, bucket: store.bucket, key }), { maxEntries: DEFAULT_ARCHIVE_LIMITS.maxEntries });
    names = Array.from({ length: directory.records.count }, (_, i) => directory.records.entry(i).name);
  } catch (err) {
    if (isArchiveRejected(err)) return 'archive';
    throw err;
  }
  if (names.includes(MANIFEST_PATH) || names.some((name) => ARCHIVE_ASSET_ENTRY.test(name))) return 'archive';
  if (!names.some((name) => /\.(json|ya?ml)$/i.test(name))) {
    throw new ValidationError(
      `The ZIP holds neither ${MANIFEST_PATH} (an apiferry archive) nor any .json, .yaml or .yml file (a multi-file OpenAPI description).`,
      [{ pointer: '/file', detail: `has no ${MANIFEST_PATH} and no OpenAPI description file` }],
    );
  }
  return 'description';
}

async function firstBytes(store: ObjectStore, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.getStream(key, { start: 0, end: 3 })) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
