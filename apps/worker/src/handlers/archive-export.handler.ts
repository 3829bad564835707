import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { ArchiveWriter, SecretSealer } from '#archive';
import { AssetRepository, CATALOG_DB, type AssetRecord, type CatalogDb, type Database } from '#catalog';
import { APP_CONFIG, type AppConfig } from '#config';
import { NotFoundError, PayloadTooLargeError, requiredReferences, sleep, SecretBox, TYPES_WITH_SECRETS, type AssetReference, isUuid } from '#core';
import { JobKind, type ExportPayload } from '#jobs';
import { ObjectStore } from '#storage';
import type { JobContext, JobHandler } from '../job-handler.js';


/** A package holds the shared policies of the classes its options ask for; other exports hold all. */
function packagedPolicy(policy: AssetRecord, payload: ExportPayload): boolean {
  if (!payload.packageOptions) return true;
  return policy.doc.policyClass === 'qos' ? payload.packageOptions.qosPolicies : payload.packageOptions.operationalPolicies;
}

export function artifactKey(projectId: string, jobId: string, fileName: string): string {
  return `exports/${projectId}/${jobId}/${fileName}`;
}

/**
 * Exports proxies (a selection or the whole project) with the shared policies and aliases
 * they need, and optionally applications, resources, scopes and deployment state, as one
 * archive streamed into an S3 multipart upload. The catalog is read in one repeatable-read
 * transaction, a batch at a time. A failure or a cancel aborts the upload: no object and no
 * multipart upload are left behind. A retry writes the same key, so a job has one artifact.
 */
@Injectable()
export class ArchiveExportHandler implements JobHandler<JobKind.ArchiveExport> {
  readonly kind = JobKind.ArchiveExport;

  constructor(
    @Inject(CATALOG_DB) private readonly db: CatalogDb,
    @Inject(AssetRepository) private readonly assets: AssetRepository,
    @Inject(ObjectStore) private readonly store: ObjectStore,
    @Inject(SecretBox) private readonly secretBox: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run(context: JobContext<JobKind.ArchiveExport>): Promise<Record<string, unknown>> {
    const { payload, job, signal } = context;
    const passphrase = payload.sealedPassphrase ? this.secretBox.open(payload.sealedPassphrase) : undefined;
    const sealer = passphrase && payload.include.secrets ? await SecretSealer.create(passphrase) : undefined;
    const writer = new ArchiveWriter({
      source: { instance: this.config.instanceName, project: payload.projectName },
      options: { proxies: payload.proxies, include: payload.include },
      sealer,
      limits: this.config.archive.limits,
    });
    const key = artifactKey(payload.projectId, job.id, payload.fileName);
    const upload = this.store.putStream(key, writer.output, { contentType: 'application/zip', signal });
    // The upload settles when the archive is complete or has failed; never leave it unobserved.
    upload.catch(() => undefined);

    let counts: Record<string, number>;
    let written: Awaited<ReturnType<ArchiveWriter['finish']>>;
    try {
      counts = await this.db
        .transaction()
        .setIsolationLevel('repeatable read')
        .setAccessMode('read only')
        .execute((trx) => this.writeAssets(trx, writer, context));
      await context.progress('finishing archive', counts.apiProxy, counts.apiProxy);
      written = await writer.finish();
    } catch (err) {
      // Aborting the writer fails the upload, which aborts its multipart upload: no orphan.
      writer.abort(err as Error);
      await upload.catch(() => undefined);
      throw beyondLimits(err);
    }
    const stored = await upload;
    return {
      artifact: { key, fileName: payload.fileName, size: stored.size, sha256: written.sha256, entries: written.entries },
      counts,
      secrets: sealer ? 'sealed' : 'omitted',
    };
  }

  private async writeAssets(trx: Kysely<Database>, writer: ArchiveWriter, context: JobContext<JobKind.ArchiveExport>): Promise<Record<string, number>> {
    const { payload } = context;
    const counts: Record<string, number> = { apiProxy: 0, policy: 0, alias: 0, application: 0, resource: 0 };
    const selection = payload.selection;
    const wholeProject = payload.proxies.length === 0 && !selection;
    // A selection may ask for every proxy (`apis=*`) without asking for every shared asset.
    const allProxies = wholeProject || selection?.apiProxy === '*';
    const total = allProxies ? await this.assets.count('apiProxy', payload.projectId, trx) : payload.proxies.length;
    const exportedProxies = new Map<string, string>(); // uuid → name
    const neededPolicies: AssetReference[] = [];
    const neededPki: AssetReference[] = [];
    let lastProxyPath = '';
    await context.progress('exporting proxies', 0, total);

    const writeProxies = async (batch: AssetRecord[]): Promise<void> => {
      const deployments = payload.include.deploymentState ? await this.assets.deploymentsOf(payload.projectId, batch.map((p) => p.uuid), trx) : undefined;
      for (const proxy of batch) {
        const doc = this.shapeProxy(proxy.doc, payload);
        if (deployments) doc.deployments = deployments.get(proxy.uuid) ?? [];
        const resources = payload.include.resources && Array.isArray(proxy.doc.resources) ? (proxy.doc.resources as Record<string, unknown>[]) : [];
        const written = await writer.addJson('apiProxy', { uuid: proxy.uuid, name: proxy.name }, doc);
        lastProxyPath = written.path;
        for (const resource of resources) {
          if (typeof resource.content !== 'string') continue;
          await writer.addResource(written.safeName, String(resource.name), Readable.from([Buffer.from(resource.content, 'utf8')]));
          counts.resource++;
        }
        const pki = payload.packageOptions?.pki ? (proxy.doc.pki as { uuid?: string; name: string } | undefined) : undefined;
        if (pki) {
          neededPki.push({ type: 'alias', ...pki });
          if (pki.uuid) writer.addDependency({ from: { type: 'apiProxy', uuid: proxy.uuid }, to: { type: 'alias', uuid: pki.uuid }, required: false });
        }
        for (const ref of requiredReferences('apiProxy', proxy.doc)) {
          // A whole-project export takes every policy anyway: nothing to collect per proxy.
          if (!wholeProject) neededPolicies.push(ref);
          if (ref.uuid) writer.addDependency({ from: { type: 'apiProxy', uuid: proxy.uuid }, to: { type: 'policy', uuid: ref.uuid }, required: true });
        }
        if (!wholeProject) exportedProxies.set(proxy.uuid, proxy.name);
        counts.apiProxy++;
        await context.progress('exporting proxies', counts.apiProxy, total);
        // An operator setting for watching (and drilling) long exports; 0 in production.
        await sleep(this.config.jobs.stepDelayMs, context.signal);
      }
    };

    if (allProxies) {
      for await (const batch of this.assets.stream('apiProxy', payload.projectId, trx)) await writeProxies(batch);
    } else if (payload.proxies.length > 0) {
      const uuids = payload.proxies.filter(isUuid);
      const found = [
        ...(await this.assets.findByUuids('apiProxy', payload.projectId, uuids, trx)),
        ...(await this.assets.findByNames('apiProxy', payload.projectId, payload.proxies, trx)),
      ];
      const unique = [...new Map(found.map((p) => [p.uuid, p])).values()];
      const missing = payload.proxies.filter((sel) => !unique.some((p) => p.uuid === sel || p.name === sel));
      if (missing.length > 0) throw new NotFoundError(`No API proxy ${missing.map((m) => `"${m}"`).join(', ')} in project "${payload.projectName}".`);
      await writeProxies(unique);
      if (unique.length === 1 && payload.vendorCopy) {
        await writer.addAlias(lastProxyPath);
      }
    }

    // Required dependencies always travel: the shared policies, then the aliases they use.
    const policies = (wholeProject ? await this.all('policy', payload.projectId, trx) : await this.selected('policy', payload, neededPolicies, trx)).filter((p) =>
      packagedPolicy(p, payload),
    );
    const neededAliases: AssetReference[] = [...neededPki];
    await context.progress('exporting dependencies', 0, policies.length);
    for (const policy of policies) {
      await writer.addJson('policy', { uuid: policy.uuid, name: policy.name }, policy.doc);
      for (const ref of requiredReferences('policy', policy.doc)) {
        if (!wholeProject) neededAliases.push(ref);
        if (ref.uuid) writer.addDependency({ from: { type: 'policy', uuid: policy.uuid }, to: { type: 'alias', uuid: ref.uuid }, required: true });
      }
      counts.policy++;
    }
    const aliases = wholeProject ? await this.all('alias', payload.projectId, trx) : await this.selected('alias', payload, neededAliases, trx);
    for (const alias of aliases) {
      await writer.addJson('alias', { uuid: alias.uuid, name: alias.name }, this.protectSecrets(writer, alias));
      counts.alias++;
    }

    const namedApplications = selection?.application ?? [];
    if (payload.include.applications || namedApplications.length > 0) {
      for await (const batch of this.assets.stream('application', payload.projectId, trx)) {
        for (const app of batch) {
          const subscriptions = requiredReferences('application', app.doc);
          const named = namedApplications === '*' || namedApplications.includes(app.uuid) || namedApplications.includes(app.name);
          const subscribed = payload.include.applications && subscriptions.some((s) => (s.uuid && exportedProxies.has(s.uuid)) || [...exportedProxies.values()].includes(s.name));
          const relevant = wholeProject || named || subscribed;
          if (!relevant) continue;
          await writer.addJson('application', { uuid: app.uuid, name: app.name }, this.protectSecrets(writer, app));
          for (const ref of subscriptions) {
            if (ref.uuid) writer.addDependency({ from: { type: 'application', uuid: app.uuid }, to: { type: 'apiProxy', uuid: ref.uuid }, required: true });
          }
          counts.application++;
        }
      }
    }
    return counts;
  }

  /** Resources travel as their own entries (content) or not at all; scopes only on request. */
  private shapeProxy(doc: Record<string, unknown>, payload: ExportPayload): Record<string, unknown> {
    const shaped = { ...doc };
    if (payload.include.resources && Array.isArray(doc.resources)) {
      shaped.resources = (doc.resources as Record<string, unknown>[]).map(({ content: _content, ...meta }) => meta);
    } else delete shaped.resources;
    if (!payload.include.scopes) delete shaped.scopes;
    if (payload.packageOptions && !payload.packageOptions.admins) delete shaped.admins;
    if (payload.packageOptions && !payload.packageOptions.services) delete shaped.routing;
    return shaped;
  }

  /** Secret fields are sealed with the passphrase, or left out and listed in the manifest. */
  private protectSecrets(writer: ArchiveWriter, asset: AssetRecord): Record<string, unknown> {
    const { secrets, ...rest } = asset.doc as { secrets?: Record<string, unknown> };
    if (!TYPES_WITH_SECRETS.includes(asset.type) || !secrets) return rest;
    const type = asset.type as 'alias' | 'application';
    const out: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(secrets)) {
      if (writer.sealer) out[field] = writer.sealSecret(type, asset.uuid, field, value);
      else writer.omitSecret({ type, name: asset.name, field });
    }
    return writer.sealer ? { ...rest, secrets: out } : rest;
  }

  /** The required dependencies, plus the shared assets a selection names (or all of them for '*'). */
  private async selected(type: 'policy' | 'alias', payload: ExportPayload, needed: AssetReference[], trx: Kysely<Database>): Promise<AssetRecord[]> {
    const named = payload.selection?.[type] ?? [];
    if (named === '*') return this.all(type, payload.projectId, trx);
    return this.resolve(type, payload.projectId, [...needed, ...named.map((n) => (isUuid(n) ? { type, uuid: n, name: n } : { type, name: n }))], trx);
  }

  private async all(type: 'policy' | 'alias', projectId: string, trx: Kysely<Database>): Promise<AssetRecord[]> {
    const out: AssetRecord[] = [];
    for await (const batch of this.assets.stream(type, projectId, trx)) out.push(...batch);
    return out;
  }

  /** The referenced assets that exist (a dangling reference is the importer's to report). */
  private async resolve(type: 'policy' | 'alias', projectId: string, refs: AssetReference[], trx: Kysely<Database>): Promise<AssetRecord[]> {
    const byUuid = await this.assets.findByUuids(type, projectId, refs.flatMap((r) => (r.uuid ? [r.uuid] : [])), trx);
    const unresolved = refs.filter((r) => !r.uuid || !byUuid.some((a) => a.uuid === r.uuid));
    const byName = await this.assets.findByNames(type, projectId, unresolved.map((r) => r.name), trx);
    return [...new Map([...byUuid, ...byName].map((a) => [a.uuid, a])).values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}

/**
 * The writer refuses (RangeError) what a reader with the same limits would refuse: that is
 * the export's size against the operator's ARCHIVE_* limits, a permanent failure, not a crash.
 */
function beyondLimits(err: unknown): unknown {
  if (!(err instanceof RangeError)) return err;
  return new PayloadTooLargeError(`The export does not fit the archive limits: ${err.message}. Export fewer proxies, or raise the ARCHIVE_* limits (on every worker).`);
}
