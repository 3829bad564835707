import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArchiveReader, ArchiveWriter, SecretSealer } from '#archive';

/** Opens archive bytes with the project's reader (through a temp file). */
export async function openArchive(bytes: Buffer): Promise<ArchiveReader> {
  const dir = await mkdtemp(join(tmpdir(), 'apiferry-test-'));
  const path = join(dir, 'archive.zip');
  await writeFile(path, bytes);
  return ArchiveReader.open(path);
}

/** Every asset entry's JSON, keyed by path, with sealed secrets opened when a passphrase is given. */
export async function assetDocuments(bytes: Buffer, passphrase?: string): Promise<Map<string, any>> {
  const reader = await openArchive(bytes);
  const sealer = passphrase ? await reader.openSecrets(passphrase) : undefined;
  const docs = new Map<string, any>();
  for (const entry of reader.entries()) {
    if (entry.type === 'resource' || entry.aliasOf) continue;
    const doc: any = await reader.readJson(entry.path);
    if (sealer && doc.secrets) {
      for (const [field, value] of Object.entries(doc.secrets)) doc.secrets[field] = sealer.open(value, `${entry.type}:${doc.uuid}:${field}`);
    }
    docs.set(entry.path, doc);
  }
  return docs;
}

export interface CraftedAsset {
  type: 'apiProxy' | 'policy' | 'alias' | 'application';
  doc: Record<string, any> & { uuid: string; name: string };
}

/** Builds an archive with the project's writer from hand-made assets (duplicates allowed). */
export async function craftArchive(assets: CraftedAsset[], passphrase?: string): Promise<Buffer> {
  const writer = new ArchiveWriter({ source: { instance: 'test', project: 'crafted' }, sealer: passphrase ? await SecretSealer.create(passphrase) : undefined });
  const chunks: Buffer[] = [];
  writer.output.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => writer.output.on('end', resolve));
  for (const asset of assets) await writer.addJson(asset.type, { uuid: asset.doc.uuid, name: asset.doc.name }, asset.doc);
  await writer.finish();
  await ended;
  return Buffer.concat(chunks);
}
