import { createHash } from 'node:crypto';
import type { ByteKeyIndex } from '../compact/byte-key-index.js';
import { AssetIdentities, type IncomingAsset } from './asset-identities.js';
import { ASSET_KINDS, type AssetKind, type ConflictPolicies } from './conflict-policy.js';

export type { IncomingAsset, Requirement } from './asset-identities.js';
export { AssetIdentities } from './asset-identities.js';

export interface ExistingAsset {
  type: AssetKind;
  uuid: string;
  name: string;
  basePath?: string;
}

/** Lookups into the target project; the caller prefetches them in batches. */
export interface TargetCatalog {
  byUuid(type: AssetKind, uuid: string): ExistingAsset | undefined;
  byName(type: AssetKind, name: string): ExistingAsset | undefined;
  nameTaken(type: AssetKind, name: string): boolean;
}

export type PlanAction = 'create' | 'overwrite' | 'rename' | 'skip' | 'conflict' | 'invalid' | 'failed';
const PLAN_ACTIONS: readonly PlanAction[] = ['create', 'overwrite', 'rename', 'skip', 'conflict', 'invalid', 'failed'];

export interface PlanItem {
  type: AssetKind;
  /** The uuid the asset has (or will have) in the target project. */
  uuid: string;
  name: string;
  path: string;
  action: PlanAction;
  /** The archive's uuid when the target keeps another one (rename, overwrite by name). */
  sourceUuid?: string;
  newName?: string;
  newBasePath?: string;
  dependencyFailed?: boolean;
  warnings: string[];
  error?: string;
}

/** What a plan item adds to its identity and action, held only where there is something. */
type ItemDetails = Partial<Pick<PlanItem, 'uuid' | 'name' | 'sourceUuid' | 'newName' | 'newBasePath' | 'dependencyFailed' | 'warnings' | 'error'>>;

type Counts = Record<AssetKind, Record<'created' | 'overwritten' | 'renamed' | 'skipped' | 'failed', number>>;

/** What a reference to an archive asset becomes in the target project. */
export interface ReferenceTarget {
  uuid: string;
  name: string;
}

/**
 * The plan of an import, as columns: an action per asset and the rare details (a rename's
 * new name, a warning, an error) beside it; identities stay in the AssetIdentities they
 * came from. A 100,000-asset plan is then two typed arrays and a sparse map instead of
 * 100,000 objects (~15 MB of heap, kept for the whole import). item(seq) makes the object
 * a report line or a write needs, when it needs it.
 *
 * Assets are planned dependencies first (aliases, shared policies, proxies, applications):
 * seq is that order, and the order of the import's report.
 */
export class ImportPlan {
  /** True when a conflict (policy fail) or an invalid entry stops the whole import. */
  blocked = false;
  readonly counts: Counts;
  /** Where references to an archive asset must point in the target. */
  readonly references: PlanReferences;

  /** @internal built by planImport */
  constructor(
    readonly identities: AssetIdentities,
    /** seq → identity */
    private readonly identityOf: Int32Array,
    /** identity → seq */
    private readonly seqOf: Int32Array,
    private readonly actions: Uint8Array,
    private readonly details: Map<number, ItemDetails>,
    /** The first identity of each type and uuid that the plan keeps (not invalid, not a duplicate). */
    byUuid: ByteKeyIndex,
  ) {
    this.references = new PlanReferences(this, byUuid);
    this.counts = Object.fromEntries(ASSET_KINDS.map((kind) => [kind, { created: 0, overwritten: 0, renamed: 0, skipped: 0, failed: 0 }])) as Counts;
  }

  /** How many assets the plan holds. */
  get size(): number {
    return this.actions.length;
  }

  action(seq: number): PlanAction {
    return PLAN_ACTIONS[this.actions[seq]!]!;
  }

  type(seq: number): AssetKind {
    return this.identities.type(this.identityOf[seq]!);
  }

  /** The archive entry's path. */
  path(seq: number): string {
    return this.identities.path(this.identityOf[seq]!);
  }

  /** The uuid the archive gives the asset (what its sealed secrets are bound to). */
  archiveUuid(seq: number): string {
    return this.identities.uuid(this.identityOf[seq]!);
  }

  /** The caller's handle on the asset's archive entry (AssetIdentities.add's `entry`). */
  entry(seq: number): number {
    return this.identities.entry(this.identityOf[seq]!);
  }

  /** The seq of an identity. */
  seqOfIdentity(identity: number): number {
    return this.seqOf[identity]!;
  }

  /** Plan item `seq` as a new object: a caller may add warnings to it before reporting it. */
  item(seq: number): PlanItem {
    const identity = this.identityOf[seq]!;
    const details = this.details.get(seq);
    const ids = this.identities;
    return {
      type: ids.type(identity),
      uuid: details?.uuid ?? ids.uuid(identity),
      name: details?.name ?? ids.name(identity),
      path: ids.path(identity),
      action: this.action(seq),
      ...details,
      warnings: details?.warnings ? [...details.warnings] : [],
    };
  }

  /** Every item, materialized: for tests and small plans, never a 100,000-asset import. */
  allItems(): PlanItem[] {
    return Array.from({ length: this.size }, (_, seq) => this.item(seq));
  }

  /** The target's name for what seq became (its new name when renamed). */
  targetOf(seq: number): ReferenceTarget {
    const details = this.details.get(seq);
    const identity = this.identityOf[seq]!;
    return { uuid: details?.uuid ?? this.identities.uuid(identity), name: details?.newName ?? details?.name ?? this.identities.name(identity) };
  }

  /** @internal */
  setAction(seq: number, action: PlanAction, details?: ItemDetails): void {
    this.actions[seq] = PLAN_ACTIONS.indexOf(action);
    if (details && Object.keys(details).length > 0) this.details.set(seq, { ...this.details.get(seq), ...details });
  }
}

/**
 * Where references to archive assets must point, kept through the whole import. An asset
 * of the archive that the plan keeps points to what it became (found through the plan's
 * uuid index, no map per asset); the few references that had to be pointed at an asset
 * already in the project instead are held on their own.
 */
export class PlanReferences {
  private readonly toTarget = new Map<string, ReferenceTarget>();

  constructor(
    private readonly plan: ImportPlan,
    private readonly byUuid: ByteKeyIndex,
  ) {}

  /** The target of `"type:uuid"` (the archive's uuid). */
  get(key: string): ReferenceTarget | undefined {
    const colon = key.indexOf(':');
    return colon < 0 ? undefined : this.resolve(key.slice(0, colon) as AssetKind, key.slice(colon + 1));
  }

  resolve(type: AssetKind, uuid: string): ReferenceTarget | undefined {
    const held = this.toTarget.get(`${type}:${uuid}`);
    if (held) return held;
    if (!ASSET_KINDS.includes(type)) return undefined;
    const identity = this.byUuid.find(AssetIdentities.key(type, uuid));
    if (identity < 0) return undefined;
    const seq = this.plan.seqOfIdentity(identity);
    return POINTS_TO_PLAN.has(this.plan.action(seq)) ? this.plan.targetOf(seq) : undefined;
  }

  has(type: AssetKind, uuid: string): boolean {
    return this.resolve(type, uuid) !== undefined;
  }

  /** Points references to an archive uuid at an asset already in the project. */
  pointAtTarget(type: AssetKind, uuid: string, target: ReferenceTarget): void {
    this.toTarget.set(`${type}:${uuid}`, { uuid: target.uuid, name: target.name });
  }
}

/**
 * Actions whose archive asset a reference may use (a skipped one: the existing asset it
 * kept); a reference to any other falls back to the project.
 */
const POINTS_TO_PLAN: ReadonlySet<PlanAction> = new Set(['create', 'overwrite', 'rename', 'skip']);

const RENAME_SUFFIX = '-imported';

/** Actions the import applies to the catalog (it writes the asset): what a reference may need. */
export const APPLIED_ACTIONS: ReadonlySet<PlanAction> = new Set(['create', 'overwrite', 'rename']);

export interface PlanOptions {
  /**
   * A clash under the `fail` policy fails that asset alone (reported `failed`) instead of
   * blocking the whole import: the asset-archive face's per-asset semantics. Dependents
   * of such an asset resolve to the existing one in the project.
   */
  clashFailsAsset?: boolean;
  /**
   * Archive paths of assets that can only replace an existing asset, with the reason (a
   * package exported without its implementation services keeps the target's). With
   * nothing to replace, such an asset fails alone.
   */
  onlyReplace?: ReadonlyMap<string, string>;
}

/**
 * A renamed copy gets a new uuid, derived from the source uuid and the new name so that a
 * dry run and the import that follows it agree on it.
 */
function derivedUuid(sourceUuid: string, newName: string): string {
  const hex = createHash('sha256').update(`${sourceUuid}\u0000${newName}`).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Decides, for every asset of an archive, what an import does with it, following the
 * conflict policy per type. Pure: the same archive and catalog give the same plan, which is
 * what makes a dry run's plan the plan the real import applies.
 */
export function planImport(incoming: AssetIdentities | readonly IncomingAsset[], target: TargetCatalog, policies: ConflictPolicies, options: PlanOptions = {}): ImportPlan {
  const identities = incoming instanceof AssetIdentities ? incoming : AssetIdentities.of(incoming);
  const count = identities.size;
  // Names only a rename must avoid: kept for the types whose policy is rename.
  const claimedNames = new Set<string>();
  const claimName = (type: AssetKind, name: string): void => {
    if (policies[type] === 'rename') claimedNames.add(`${type}:${name.toLowerCase()}`);
  };
  const nameFree = (type: AssetKind, name: string): boolean => !target.nameTaken(type, name) && !claimedNames.has(`${type}:${name.toLowerCase()}`);

  // Dependencies first, so a dependent sees what became of what it needs: seq orders the
  // identities by type (stable within a type).
  const identityOf = new Int32Array(count);
  const seqOf = new Int32Array(count);
  const firstSeqOfType = new Int32Array(ASSET_KINDS.length + 1);
  for (let i = 0; i < count; i++) firstSeqOfType[identities.typeNumber(i) + 1]!++;
  for (let t = 1; t <= ASSET_KINDS.length; t++) firstSeqOfType[t]! += firstSeqOfType[t - 1]!;
  for (let i = 0; i < count; i++) {
    const seq = firstSeqOfType[identities.typeNumber(i)]!++;
    identityOf[seq] = i;
    seqOf[i] = seq;
  }
  // The first asset of each type:uuid and each type:name; a later one with either is a duplicate.
  const byUuid = identities.uuidIndex();
  const byName = identities.nameIndex();
  const plan = new ImportPlan(identities, identityOf, seqOf, new Uint8Array(count), new Map(), byUuid);

  for (let seq = 0; seq < count; seq++) {
    const identity = identityOf[seq]!;
    const invalid = identities.invalid(identity);
    if (invalid !== undefined) {
      plan.setAction(seq, 'invalid', { error: invalid });
      continue;
    }
    const type = identities.type(identity);
    const sameUuid = byUuid.find(identities.uuidKey(identity)) >= 0;
    if (sameUuid || byName.find(identities.nameKey(identity)) >= 0) {
      plan.setAction(seq, 'failed', { error: `another ${type} in this archive has the same ${sameUuid ? 'uuid' : 'name'}; the first one wins` });
      continue;
    }
    const [action, details] = decide(identities.get(identity));
    plan.setAction(seq, action, details);
    byUuid.add(identity);
    byName.add(identity);
  }

  function decide(asset: IncomingAsset): [PlanAction, ItemDetails?] {
    const existing = target.byUuid(asset.type, asset.uuid) ?? target.byName(asset.type, asset.name);
    const replaceOnly = options.onlyReplace?.get(asset.path);
    if (!existing) {
      if (replaceOnly) return ['failed', { error: replaceOnly }];
      claimName(asset.type, asset.name);
      return ['create'];
    }
    const how = existing.uuid === asset.uuid ? 'uuid' : 'name';
    switch (policies[asset.type]) {
      case 'fail':
        return [options.clashFailsAsset ? 'failed' : 'conflict', { error: `${asset.type} "${existing.name}" already exists in the project (same ${how})` }];
      case 'keep':
        return ['skip', { uuid: existing.uuid, name: existing.name, sourceUuid: asset.uuid, warnings: [`kept the existing ${asset.type} "${existing.name}"`] }];
      case 'overwrite': {
        const holder = target.byName(asset.type, asset.name);
        if (holder && holder.uuid !== existing.uuid) {
          return ['failed', { error: `cannot overwrite: the name "${asset.name}" belongs to another ${asset.type} (${holder.uuid})` }];
        }
        claimName(asset.type, asset.name);
        const warnings = how === 'name' ? [`matched by name; the existing uuid ${existing.uuid} is kept (the archive has ${asset.uuid})`] : undefined;
        return ['overwrite', { uuid: existing.uuid, sourceUuid: asset.uuid, ...(warnings ? { warnings } : {}) }];
      }
      case 'rename': {
        if (replaceOnly) return ['failed', { error: replaceOnly }];
        let n = 1;
        let newName = `${asset.name}${RENAME_SUFFIX}`;
        while (!nameFree(asset.type, newName)) newName = `${asset.name}${RENAME_SUFFIX}-${++n}`;
        claimName(asset.type, newName);
        const suffix = newName.slice(asset.name.length);
        return [
          'rename',
          {
            uuid: derivedUuid(asset.uuid, newName),
            sourceUuid: asset.uuid,
            newName,
            ...(asset.basePath !== undefined ? { newBasePath: `${asset.basePath.replace(/\/+$/, '')}${suffix}` } : {}),
          },
        ];
      }
    }
  }

  // A required reference must resolve to an asset that the import keeps or creates, or to one
  // already in the project; otherwise the dependent fails (and, in turn, its dependents).
  const dependents = [...identities.withRequirements()].map((identity) => seqOf[identity]!).sort((a, b) => a - b);
  let changed = true;
  while (changed) {
    changed = false;
    for (const seq of dependents) {
      if (!APPLIED_ACTIONS.has(plan.action(seq))) continue;
      for (const need of identities.requires(identityOf[seq]!)) {
        const found = (need.uuid ? byUuid.find(AssetIdentities.key(need.type, need.uuid)) : -1);
        const inArchive = found >= 0 ? found : byName.find(AssetIdentities.key(need.type, need.name));
        const usable = inArchive >= 0 && POINTS_TO_PLAN.has(plan.action(seqOf[inArchive]!));
        if (usable) continue;
        const inTarget = (need.uuid ? target.byUuid(need.type, need.uuid) : undefined) ?? target.byName(need.type, need.name);
        if (inTarget) {
          if (need.uuid && !plan.references.has(need.type, need.uuid)) plan.references.pointAtTarget(need.type, need.uuid, inTarget);
          continue;
        }
        plan.setAction(seq, 'failed', {
          dependencyFailed: true,
          error: `requires ${need.type} "${need.name}", which is neither usable in the archive nor present in the project`,
        });
        changed = true;
        break;
      }
    }
  }

  const countKey: Record<PlanAction, keyof Counts[AssetKind]> = {
    create: 'created',
    overwrite: 'overwritten',
    rename: 'renamed',
    skip: 'skipped',
    failed: 'failed',
    conflict: 'failed',
    invalid: 'failed',
  };
  for (let seq = 0; seq < count; seq++) {
    const action = plan.action(seq);
    plan.counts[plan.type(seq)][countKey[action]]++;
    if (action === 'conflict' || action === 'invalid') plan.blocked = true;
  }
  return plan;
}
