import { Inject, Injectable } from '@nestjs/common';
import { sql, type Kysely } from 'kysely';
import type { ClassConstructor } from 'class-transformer';
import { ArchiveReader, isArchiveRejected, secretAad, type SecretSealer } from '#archive';
import { ASSET_TYPES, AssetRepository, CATALOG_DB, JobReportRepository, JobRepository, TokenRepository, type AssetType, type CatalogDb, type Database } from '#catalog';
import { APP_CONFIG, type AppConfig } from '#config';
import {
  AliasModel,
  ApiProxyModel,
  ApplicationModel,
  APPLIED_ACTIONS,
  ArchiveRejectedError,
  AssetIdentities,
  ImportBlockedError,
  parseConflictPolicies,
  planImport,
  requiredReferences,
  rewriteReferences,
  SecretBox,
  SharedPolicyModel,
  sleep,
  TYPES_WITH_SECRETS,
  validateModel,
  type ExistingAsset,
  type ImportPlan,
  type PlanItem,
  type TargetCatalog,
} from '#core';
import { JobKind, type ImportPayload } from '#jobs';
import { ObjectStore } from '#storage';
import { deployedEnvironments, restoreAssetState } from '../archive/asset-state.js';
import { reportLine, ReportLineWriter } from '../archive/import-report.js';
import { applyProxyOverrides } from '../archive/import-transforms.js';
import { ResourceDirectories } from '../archive/resource-directories.js';
import { adminsOf, followPkiReference, keepKnownAdmins, missingPkiWarning, routingLeftOut } from '../archive/package-transforms.js';
import { ProxyDeployer, type DeploymentResult } from '../deployments/proxy-deployer.js';
import type { JobContext, JobHandler } from '../job-handler.js';

const MODELS: Record<AssetType, ClassConstructor<object>> = {
  apiProxy: ApiProxyModel,
  policy: SharedPolicyModel,
  alias: AliasModel,
  application: ApplicationModel,
};

/** Rows per INSERT statement: large enough to cut round trips, small enough for parameters. */
const INSERT_BATCH_SIZE = 200;
/**
 * Resource bytes per INSERT batch: proxies carrying big resources are written a few at a
 * time. Each batch is one bind message that pg assembles in buffers grown step by step,
 * all garbage outside the JS heap afterwards: at 4 MiB a 10,000-proxy import with 63 KB
 * resources peaked 37 MB higher (and ran slower) than at 512 KiB.
 */
const INSERT_BATCH_RESOURCE_BYTES = 512 * 1024;

/** A blocked import's report lists its assets in the job's error, up to this many. */
const BLOCKED_REPORT_ITEMS = 1000;

/** What the import keeps of an archive between its passes: identities, not bodies. */
interface ReadArchive {
  reader: ArchiveReader;
  /** Every asset's identity, as columns; the plan reads them (see AssetIdentities). */
  incoming: AssetIdentities;
  /** Resource entries' manifest indexes by the proxy directory they belong to. */
  resourcesByDir: ResourceDirectories;
  sealer?: SecretSealer;
  secretWarnings: string[];
  /** With preserveAssetState: target proxy uuid → environments the archive says it was deployed on. */
  deployedIn: Map<string, string[]>;
  /** The admins the archive's proxies name who are users of this instance. */
  knownUsers: Set<string>;
  /** Proxies archived without routing (a package without its services): path → why they can only replace. */
  withoutRouting: Map<string, string>;
}

/**
 * Imports an archive into a project: verifies every entry (hashes, limits, schema) before
 * anything changes, plans with the conflict policy per type, and applies the plan in one
 * transaction under a per-project advisory lock, committing the job's success with it. A
 * dry run stops after the plan. Anything rejected leaves the catalog exactly as it was.
 */
@Injectable()
export class ArchiveImportHandler implements JobHandler<JobKind.ArchiveImport> {
  readonly kind = JobKind.ArchiveImport;

  constructor(
    @Inject(CATALOG_DB) private readonly db: CatalogDb,
    @Inject(AssetRepository) private readonly assets: AssetRepository,
    @Inject(ObjectStore) private readonly store: ObjectStore,
    @Inject(SecretBox) private readonly secretBox: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JobRepository) private readonly jobs: JobRepository,
    @Inject(ProxyDeployer) private readonly deployer: ProxyDeployer,
    @Inject(TokenRepository) private readonly users: TokenRepository,
    @Inject(JobReportRepository) private readonly reportLines: JobReportRepository,
  ) {}

  async run(context: JobContext<JobKind.ArchiveImport>): Promise<Record<string, unknown>> {
    try {
      return await this.importArchive(context);
    } catch (err) {
      // Whatever is wrong with the archive is permanent: no retry will make it importable.
      throw isArchiveRejected(err) ? rejected(err as Error & { reason?: string; entry?: string }) : err;
    }
  }

  private async importArchive(context: JobContext<JobKind.ArchiveImport>): Promise<Record<string, unknown>> {
    const { payload } = context;
    const deploying = (payload.deploy || payload.preserveAssetState === true) && !payload.dryRun;
    // A retry of an import whose catalog writes committed goes straight to deploying them.
    const committed = context.job.result as Record<string, unknown> | null;
    if (deploying && committed?.applied === true) return this.deployImported(context, committed);
    const archive = await this.readArchive(context);
    const policies = parseConflictPolicies(payload.conflicts);
    const planOptions = { clashFailsAsset: payload.clashFailsAsset === true, onlyReplace: archive.withoutRouting };

    if (payload.dryRun) {
      const plan = await this.db
        .transaction()
        .setIsolationLevel('repeatable read')
        .setAccessMode('read only')
        .execute(async (trx) => planImport(archive.incoming, await this.targetCatalog(trx, payload.projectId, archive.incoming), policies, planOptions));
      await this.db.transaction().execute(async (trx) => {
        const lines = await this.reportWriter(context.job.id, trx);
        for (let seq = 0; seq < plan.size; seq++) await lines.add(seq, plan.item(seq));
        await lines.flush();
      });
      return this.report(plan, archive, payload, true);
    }

    let report: Record<string, unknown> = {};
    await this.db.transaction().execute(async (trx) => {
      // Two imports into one project never interleave: the second waits for the first.
      await sql`select pg_advisory_xact_lock(hashtext(${`apiferry:import:${payload.projectId}`}))`.execute(trx);
      const plan = planImport(archive.incoming, await this.targetCatalog(trx, payload.projectId, archive.incoming), policies, planOptions);
      if (plan.blocked) {
        const blocking = blockingItems(plan, 3);
        throw new ImportBlockedError(
          `The import was not applied: ${blocking.count} asset(s) clash with the project or are invalid (${blocking
            .map((i) => `${i.type} "${i.name}": ${i.error}`)
            .join('; ')}${blocking.count > 3 ? '; ...' : ''}).`,
        ).with({ report: this.blockedReport(plan, archive, payload) });
      }
      await this.apply(trx, plan, archive, context);
      report = this.report(plan, archive, payload, false);
      await context.progress('committing', plan.size, plan.size);
      // With a deployment to follow, the job stays running; its import result commits with the import.
      if (deploying) await this.jobs.saveInterimResult(context.job.id, report, trx);
      else await context.succeedWithin(trx, report);
    });
    return deploying ? this.deployImported(context, report) : report;
  }

  /** Deploys every imported proxy once the import has committed; a failure is reported, never rolled back. */
  private async deployImported(context: JobContext<JobKind.ArchiveImport>, report: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { payload } = context;
    context.committed();
    const proxyUuids = await this.reportLines.importedProxyUuids(context.job.id);
    if (payload.preserveAssetState) return restoreAssetState(this.deployer, context, report, proxyUuids);
    const environments = payload.deployTargetEnvironmentNameList;
    await context.progress('deploying', 0, environments.length);
    const deploymentResult: DeploymentResult =
      proxyUuids.length === 0
        ? {
            success: true,
            message: 'No API proxy was imported, so nothing was deployed.',
            environmentResults: environments.map((environmentName) => ({ environmentName, success: true, message: 'nothing to deploy', proxies: [] })),
          }
        : await this.deployer.run('deploy', { jobId: context.job.id, projectId: payload.projectId, projectName: payload.projectName, proxyUuids, environments });
    await context.progress('deploying', environments.length, environments.length);
    return { ...report, deployment: { status: deploymentResult.success ? 'deployed' : 'failed', environments }, deploymentResult };
  }

  private async readArchive(context: JobContext<JobKind.ArchiveImport>): Promise<ReadArchive> {
    const { payload } = context;
    const reader = await ArchiveReader.open({ s3: this.store.s3, bucket: this.store.bucket, key: payload.objectKey }, { limits: this.config.archive.limits });
    // The reader keeps the manifest's list compact; take what the import needs from one
    // pass over it and let the objects go (a 100,000-entry list is tens of MB of them).
    const listedCount = reader.entryCount;
    let assetEntryCount = 0;
    const isResource = new Uint8Array(listedCount);
    for (let index = 0; index < listedCount; index++) {
      const entry = reader.entryAt(index);
      if ((ASSET_TYPES as readonly string[]).includes(entry.type) && !entry.aliasOf) assetEntryCount++;
      if (entry.type === 'resource') isResource[index] = 1;
    }
    const resourcesByDir = ResourceDirectories.of(reader, (index) => isResource[index] === 1);
    const incoming = new AssetIdentities(assetEntryCount);
    const adminNames = new Set<string>();
    const withoutRouting = new Map<string, string>();
    let verified = 0;
    await context.progress('verifying archive', 0, listedCount);
    await reader.verifyAll({
      onJson: async (entry, value, listed) => {
        verified++;
        await context.progress('verifying archive', verified, listedCount);
        if (!(ASSET_TYPES as readonly string[]).includes(entry.type) || entry.aliasOf) return;
        const type = entry.type as AssetType;
        const doc = value as Record<string, unknown>;
        let invalid: string | undefined;
        try {
          let checked = stripServerFields(type, doc);
          if (type === 'apiProxy' && doc && typeof doc === 'object') {
            const leftOut = routingLeftOut(checked, payload);
            checked = leftOut.checked;
            if (leftOut.onlyReplace) withoutRouting.set(entry.path, leftOut.onlyReplace);
          }
          await validateModel(MODELS[type], checked, `${type} entry ${entry.path}`);
        } catch (err) {
          invalid = (err as Error).message;
        }
        if (doc?.uuid !== entry.uuid || doc?.name !== entry.name) invalid ??= `${entry.path} does not match its manifest listing (uuid/name)`;
        if (type === 'apiProxy' && !invalid) for (const admin of adminsOf(doc)) adminNames.add(admin);
        const requires = invalid ? [] : requiredReferences(type, doc);
        incoming.add(
          {
            type,
            uuid: String(doc?.uuid ?? entry.uuid ?? ''),
            name: String(doc?.name ?? entry.name ?? ''),
            path: entry.path,
            basePath: type === 'apiProxy' ? String(doc.basePath ?? '') : undefined,
            requires,
            invalid,
          },
          listed,
        );
      },
    });
    if (incoming.size !== assetEntryCount) throw new ArchiveRejectedError('Not every listed asset entry could be read.');

    const secretWarnings: string[] = [];
    let sealer: SecretSealer | undefined;
    const { secrets } = reader.manifest;
    if (secrets.mode === 'sealed') {
      if (payload.sealedPassphrase) sealer = await reader.openSecrets(this.secretBox.open(payload.sealedPassphrase));
      else secretWarnings.push('the archive holds sealed secrets but no passphrase was given: secret fields were not restored');
    } else if (secrets.mode === 'omitted') {
      for (const o of secrets.omitted) secretWarnings.push(`secret ${o.field} of ${o.type} "${o.name}" is missing: the archive was exported without a passphrase`);
    }
    return { reader, incoming, resourcesByDir, sealer, secretWarnings, deployedIn: new Map(), knownUsers: await this.users.liveNames([...adminNames]), withoutRouting };
  }

  /** Everything the planner may ask about the target project, read in one go. */
  private async targetCatalog(trx: Kysely<Database>, projectId: string, incoming: AssetIdentities): Promise<TargetCatalog> {
    const byUuid = new Map<string, ExistingAsset>();
    const byName = new Map<string, ExistingAsset>();
    const names = new Set<string>();
    const types = new Set<AssetType>();
    for (let i = 0; i < incoming.size; i++) types.add(incoming.type(i));
    for (const i of incoming.withRequirements()) for (const need of incoming.requires(i)) types.add(need.type);
    for (const type of types) {
      for await (const batch of this.assets.stream(type, projectId, trx, 2000)) {
        for (const asset of batch) {
          const existing: ExistingAsset = { type, uuid: asset.uuid, name: asset.name, basePath: asset.doc.basePath as string | undefined };
          byUuid.set(`${type}:${asset.uuid}`, existing);
          byName.set(`${type}:${asset.name}`, existing);
          names.add(`${type}:${asset.name.toLowerCase()}`);
        }
      }
    }
    return {
      byUuid: (type, uuid) => byUuid.get(`${type}:${uuid}`),
      byName: (type, name) => byName.get(`${type}:${name}`),
      nameTaken: (type, name) => names.has(`${type}:${name.toLowerCase()}`),
    };
  }

  /**
   * Applies the plan in a second sequential pass over the archive (one ranged read, entries
   * verified again as they stream): memory holds a batch, never the archive's documents.
   * Assets reference each other by uuid and name inside their JSON, not by foreign keys, so
   * archive order is a valid write order.
   */
  private async apply(trx: Kysely<Database>, plan: ImportPlan, archive: ReadArchive, context: JobContext<JobKind.ArchiveImport>): Promise<void> {
    // The report is written as the import goes: an asset's line once its outcome is final.
    const lines = await this.reportWriter(context.job.id, trx);
    const listedCount = archive.reader.entryCount;
    // Manifest index → seq of the asset the writing pass applies there (-1: nothing to apply).
    const seqOfEntry = new Int32Array(listedCount).fill(-1);
    let toApplyCount = 0;
    for (let seq = 0; seq < plan.size; seq++) {
      if (APPLIED_ACTIONS.has(plan.action(seq))) {
        seqOfEntry[plan.entry(seq)] = seq;
        toApplyCount++;
      } else await lines.add(seq, plan.item(seq));
    }
    let done = 0;
    let batch: { type: AssetType; docs: (Record<string, unknown> & { uuid: string; name: string })[]; seqs: number[]; items: PlanItem[]; resourceBytes: number } | undefined;
    const flush = async (): Promise<void> => {
      if (!batch) return;
      await this.assets.insertMany(batch.type, context.payload.projectId, batch.docs, trx);
      for (let i = 0; i < batch.seqs.length; i++) await lines.add(batch.seqs[i]!, batch.items[i]!);
      done += batch.docs.length;
      batch = undefined;
      await context.progress('importing', done, toApplyCount);
      // An operator setting for watching (and drilling) long imports, per batch; 0 in production.
      await sleep(this.config.jobs.stepDelayMs, context.signal);
    };
    await context.progress('importing', 0, toApplyCount);
    // A proxy's resources follow its JSON in the archive: the proxy waits for them (taken
    // from this same pass, not read again), and is written when the next JSON entry starts.
    let waiting: { seq: number; raw: Record<string, unknown>; resourceDir: string; resources: Map<string, Buffer> } | undefined;
    const write = async (seq: number, raw: Record<string, unknown>, resources?: ReadonlyMap<string, Buffer>): Promise<void> => {
      // The item lives until its report line is written: the writes add their warnings to it.
      const item = plan.item(seq);
      const doc = await this.prepare(item, plan.archiveUuid(seq), raw, archive, plan, context.payload, resources);
      if (archive.withoutRouting.has(item.path)) doc.routing = await this.targetRouting(item, context.payload.projectId, trx);
      if (item.type === 'apiProxy') await this.checkPki(item, doc, plan, context.payload.projectId, trx);
      if (item.action === 'overwrite') {
        await flush();
        await this.assets.replace(item.type, context.payload.projectId, item.uuid, doc, trx);
        await lines.add(seq, item);
        await context.progress('importing', ++done, toApplyCount);
        return;
      }
      if (batch && batch.type !== item.type) await flush();
      batch ??= { type: item.type, docs: [], seqs: [], items: [], resourceBytes: 0 };
      batch.docs.push(doc);
      for (const bytes of resources?.values() ?? []) batch.resourceBytes += bytes.length;
      batch.seqs.push(seq);
      batch.items.push(item);
      if (batch.docs.length >= INSERT_BATCH_SIZE || batch.resourceBytes >= INSERT_BATCH_RESOURCE_BYTES) await flush();
    };
    const writeWaiting = async (): Promise<void> => {
      if (!waiting) return;
      const { seq, raw, resources } = waiting;
      waiting = undefined;
      await write(seq, raw, resources);
    };
    await archive.reader.verifyAll({
      onJson: async (entry, value, listed) => {
        await writeWaiting();
        const seq = seqOfEntry[listed]!;
        if (seq < 0) return;
        seqOfEntry[listed] = -1;
        const raw = value as Record<string, unknown>;
        const directory = proxyDirectory(entry.path);
        if (plan.type(seq) === 'apiProxy' && archive.resourcesByDir.has(directory)) waiting = { seq, raw, resourceDir: `resources/${directory}/`, resources: new Map() };
        else await write(seq, raw);
      },
      onResource: (entry, bytes) => {
        if (waiting && entry.path.startsWith(waiting.resourceDir)) waiting.resources.set(entry.path, bytes);
      },
    });
    await writeWaiting();
    await flush();
    await lines.flush();
    if (lines.count !== plan.size) throw new Error(`the import reported ${lines.count} of ${plan.size} planned assets`);
  }

  /** The job's report lines, written in `trx`; lines of an earlier attempt that got as far are replaced. */
  private async reportWriter(jobId: string, trx: CatalogDb): Promise<ReportLineWriter> {
    await this.reportLines.clear(jobId, trx);
    return new ReportLineWriter(this.reportLines, jobId, trx);
  }

  /** A PKI alias that is neither in the archive nor in the project is a warning, not a failure. */
  private async checkPki(item: PlanItem, doc: Record<string, unknown>, plan: ImportPlan, projectId: string, trx: Kysely<Database>): Promise<void> {
    const pki = followPkiReference(doc, plan.references);
    if (!pki) return;
    const found = [...(pki.uuid ? await this.assets.findByUuids('alias', projectId, [pki.uuid], trx) : []), ...(await this.assets.findByNames('alias', projectId, [pki.name], trx))];
    if (found.length === 0) item.warnings.push(missingPkiWarning(pki));
    else doc.pki = { uuid: found[0].uuid, name: found[0].name };
  }

  /** The routing of the proxy an import replaces (kept when the archive has none). */
  private async targetRouting(item: PlanItem, projectId: string, trx: Kysely<Database>): Promise<unknown> {
    const [existing] = await this.assets.findByUuids('apiProxy', projectId, [item.uuid], trx);
    return existing?.doc.routing;
  }

  /** The document as the target will hold it: new identity, rewritten references, overrides, secrets. */
  private async prepare(
    item: PlanItem,
    archiveUuid: string,
    raw: Record<string, unknown>,
    archive: ReadArchive,
    plan: ImportPlan,
    payload: ImportPayload,
    resources?: ReadonlyMap<string, Buffer>,
  ) {
    let doc = rewriteReferences(item.type, stripServerFields(item.type, raw), (ref) => (ref.uuid ? plan.references.get(`${ref.type}:${ref.uuid}`) : undefined));
    doc.uuid = item.uuid;
    doc.name = item.newName ?? item.name;
    if (item.type === 'apiProxy') {
      if (item.newBasePath) doc.basePath = item.newBasePath;
      if (payload.preserveAssetState) archive.deployedIn.set(item.uuid, deployedEnvironments(raw));
      item.warnings.push(...keepKnownAdmins(doc, archive.knownUsers));
      const overridden = applyProxyOverrides(doc, payload);
      doc = overridden.doc;
      item.warnings.push(...overridden.warnings);
      doc.resources = await this.restoreResources(doc, item, archive, resources);
    }
    if (TYPES_WITH_SECRETS.includes(item.type)) doc.secrets = this.openSecrets(item, archiveUuid, raw, archive);
    return doc as Record<string, unknown> & { uuid: string; name: string };
  }

  private openSecrets(item: PlanItem, archiveUuid: string, raw: Record<string, unknown>, archive: ReadArchive): Record<string, string> {
    const sealed = (raw.secrets ?? {}) as Record<string, unknown>;
    const out: Record<string, string> = {};
    for (const [field, value] of Object.entries(sealed)) {
      if (!archive.sealer) {
        item.warnings.push(`secret ${field} was not restored (no passphrase)`);
        continue;
      }
      out[field] = String(archive.sealer.open(value, secretAad(item.type, archiveUuid, field), item.path));
    }
    return out;
  }

  /**
   * Resource entries travel beside the proxy; they return inline into its definition. The
   * bytes come from the apply pass (`read`) when the archive holds them right after the
   * proxy, as exports write them; any other layout reads them on their own.
   */
  private async restoreResources(doc: Record<string, unknown>, item: PlanItem, archive: ReadArchive, read?: ReadonlyMap<string, Buffer>): Promise<unknown> {
    const resources = Array.isArray(doc.resources) ? (doc.resources as Record<string, unknown>[]) : undefined;
    if (!resources) return undefined;
    const entries = archive.resourcesByDir.indexes(proxyDirectory(item.path)).map((index) => archive.reader.entryAt(index));
    const restored = [];
    for (const resource of resources) {
      const entry = entries.find((e) => e.name === resource.name);
      if (!entry) {
        restored.push(resource);
        continue;
      }
      const bytes = read?.get(entry.path);
      if (bytes) {
        restored.push({ ...resource, content: bytes.toString('utf8') });
        continue;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of archive.reader.openResource(entry.path)) chunks.push(chunk as Buffer);
      restored.push({ ...resource, content: Buffer.concat(chunks).toString('utf8') });
    }
    return restored;
  }

  /**
   * The import's result. Its per-asset lines are in the job's report (written as the import
   * went); the API shows the first of them with the job and pages through the rest.
   */
  private report(plan: ImportPlan, archive: ReadArchive, payload: ImportPayload, dryRun: boolean): Record<string, unknown> {
    return {
      dryRun,
      applied: !dryRun && !plan.blocked,
      blocked: plan.blocked,
      source: archive.reader.manifest.source,
      counts: plan.counts,
      itemsTotal: plan.size,
      secrets: { restored: Boolean(archive.sealer), warnings: archive.secretWarnings },
      deployment: payload.deploy && !dryRun ? { status: 'pending', environments: payload.deployTargetEnvironmentNameList } : { status: 'not requested' },
      ...(payload.preserveAssetState ? { assetState: Object.fromEntries(archive.deployedIn) } : {}),
    };
  }

  /**
   * A blocked import rolls back, report lines included, so its report travels in the job's
   * error: every asset when there are few, else the ones that are not plain creations
   * (what blocked it first), up to BLOCKED_REPORT_ITEMS.
   */
  private blockedReport(plan: ImportPlan, archive: ReadArchive, payload: ImportPayload): Record<string, unknown> {
    const listed = plan.size <= BLOCKED_REPORT_ITEMS ? plan.allItems() : notCreated(plan).sort((a, b) => blockingFirst(a) - blockingFirst(b));
    return {
      ...this.report(plan, archive, payload, false),
      items: listed.slice(0, BLOCKED_REPORT_ITEMS).map(reportLine),
      ...(listed.length < plan.size || listed.length > BLOCKED_REPORT_ITEMS ? { itemsOmitted: plan.size - Math.min(listed.length, BLOCKED_REPORT_ITEMS) } : {}),
    };
  }
}

/** The directory of a proxy's resources: `resources/<dir>/` for `apiProxies/<dir>.json`. */
function proxyDirectory(proxyPath: string): string {
  return proxyPath.slice('apiProxies/'.length, -'.json'.length);
}

/** The first `max` items that block the import (clashes, invalid entries), and how many there are. */
function blockingItems(plan: ImportPlan, max: number): PlanItem[] & { count: number } {
  const items: PlanItem[] = [];
  let count = 0;
  for (let seq = 0; seq < plan.size; seq++) {
    const action = plan.action(seq);
    if (action !== 'conflict' && action !== 'invalid') continue;
    if (++count <= max) items.push(plan.item(seq));
  }
  return Object.assign(items, { count });
}

/** Every item but the plain creations (a big blocked import's report leaves those out first). */
function notCreated(plan: ImportPlan): PlanItem[] {
  const items: PlanItem[] = [];
  for (let seq = 0; seq < plan.size; seq++) if (plan.action(seq) !== 'create') items.push(plan.item(seq));
  return items;
}

/** Sort key putting what blocks an import (clashes, invalid entries) before the rest. */
function blockingFirst(item: PlanItem): number {
  return item.action === 'conflict' || item.action === 'invalid' ? 0 : 1;
}

/** Fields a catalog read adds that are not part of an asset's definition. */
function stripServerFields(type: AssetType, doc: Record<string, unknown>): Record<string, unknown> {
  if (type !== 'apiProxy') return doc;
  const { revision: _r, createdAt: _c, updatedAt: _u, deployments: _d, ...rest } = doc;
  return rest;
}

function rejected(err: Error & { reason?: string; entry?: string }): ArchiveRejectedError {
  return new ArchiveRejectedError(err.message).with({ reason: err.reason, ...(err.entry ? { entry: err.entry } : {}) });
}
