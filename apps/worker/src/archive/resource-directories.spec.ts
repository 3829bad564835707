import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { ArchiveReader, ArchiveWriter } from '#archive';
import { TempDir, writeArchiveFile } from '../../../../libs/archive/src/testing/temp-archive.js';
import { ResourceDirectories } from './resource-directories.js';

describe('ResourceDirectories', () => {
  let dir: TempDir;
  let reader: ArchiveReader;

  beforeAll(async () => {
    dir = await TempDir.create();
    const path = dir.file('resources.zip');
    await writeArchiveFile(new ArchiveWriter({ source: { instance: 'i', project: 'p' } }), path, async (writer) => {
      const orders = await writer.addJson('apiProxy', { uuid: 'u-1', name: 'orders' }, { uuid: 'u-1', name: 'orders' });
      await writer.addResource(orders.safeName, 'spec.yaml', Readable.from([Buffer.from('a: 1')]));
      const pets = await writer.addJson('apiProxy', { uuid: 'u-2', name: 'pëts ☃' }, { uuid: 'u-2', name: 'pëts ☃' });
      await writer.addResource(pets.safeName, 'readme.md', Readable.from([Buffer.from('# pets')]));
      await writer.addResource(orders.safeName, 'guide.md', Readable.from([Buffer.from('# orders')]));
      await writer.addJson('apiProxy', { uuid: 'u-3', name: 'bare' }, { uuid: 'u-3', name: 'bare' });
    });
    reader = await ArchiveReader.open(path);
  });

  afterAll(async () => {
    await dir.remove();
  });

  it("lists each proxy directory's resources in manifest order, and nothing for a proxy without any", () => {
    const resources = ResourceDirectories.of(reader, (index) => reader.entryAt(index).type === 'resource');
    const paths = (directory: string) => resources.indexes(directory).map((index) => reader.entryAt(index).path);
    const proxyDirectory = (name: string) => reader.entries().find((e) => e.type === 'apiProxy' && e.name === name)!.path.slice('apiProxies/'.length, -'.json'.length);

    expect(paths(proxyDirectory('orders'))).toEqual([`resources/${proxyDirectory('orders')}/spec.yaml`, `resources/${proxyDirectory('orders')}/guide.md`]);
    expect(paths(proxyDirectory('pëts ☃'))).toEqual([`resources/${proxyDirectory('pëts ☃')}/readme.md`]);
    expect(resources.has(proxyDirectory('orders'))).toBe(true);
    expect(resources.has(proxyDirectory('bare'))).toBe(false);
    expect(resources.indexes(proxyDirectory('bare'))).toEqual([]);
  });
});
