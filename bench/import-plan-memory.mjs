// What an import keeps per asset, without the service around it: writes N proxy entries to
// a file, then does what the import handler does before its writes (open, verify with
// schema validation, collect each asset's identity into AssetIdentities, plan against an
// empty project) and prints the live heap (after a forced GC) and the memory outside it at each step.
//
//   npm run build && node --expose-gc bench/import-plan-memory.mjs 100000
import { createWriteStream, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ArchiveReader, ArchiveWriter } from '../dist/libs/archive/src/index.js';
import { benchProxyDoc } from './proxy-doc.mjs';
import { ApiProxyModel, AssetIdentities, parseConflictPolicies, planImport, requiredReferences, validateModel } from '../dist/libs/core/src/index.js';

const count = Number(process.argv[2] ?? 10000);
const file = join(tmpdir(), `apiferry-import-plan-memory-${count}.zip`);
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
const hwm = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
const usage = () => {
  globalThis.gc?.();
  return process.memoryUsage();
};


const writer = new ArchiveWriter({ source: { instance: 'bench', project: 'p' } });
const written = pipeline(writer.output, createWriteStream(file));
for (let i = 0; i < count; i++) {
  const d = benchProxyDoc(i);
  await writer.addJson('apiProxy', { uuid: d.uuid, name: d.name }, d);
}
await writer.finish();
await written;

const steps = [];
const base = usage();
const step = (name) => {
  const now = usage();
  const line = { step: name, liveHeapMb: +mb(now.heapUsed - base.heapUsed), outsideHeapMb: +mb(now.external - base.external), peakRssMb: Math.round(hwm()) };
  steps.push(line);
  console.log(`${name.padEnd(28)} live heap +${line.liveHeapMb} MB, outside the heap +${line.outsideHeapMb} MB, peak RSS ${line.peakRssMb} MB`);
};
step('start');
const reader = await ArchiveReader.open(file);
step('opened');
const incoming = new AssetIdentities(reader.entryCount);
let invalid = 0;
await reader.verifyAll({
  onJson: async (entry, value, listed) => {
    try {
      await validateModel(ApiProxyModel, value, entry.path);
    } catch {
      invalid++;
    }
    const requires = requiredReferences('apiProxy', value);
    incoming.add({ type: 'apiProxy', uuid: String(value.uuid), name: String(value.name), path: entry.path, basePath: String(value.basePath ?? ''), requires, invalid: undefined }, listed);
  },
});
step(`verified (${invalid} invalid)`);
const emptyProject = { byUuid: () => undefined, byName: () => undefined, nameTaken: () => false };
const plan = planImport(incoming, emptyProject, parseConflictPolicies(undefined));
step('planned');
console.log(JSON.stringify({ count, items: plan.size, steps }));
rmSync(file, { force: true });
