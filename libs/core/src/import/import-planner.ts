import { createHash } from 'node:crypto';
import { ASSET_KINDS, type AssetKind, type ConflictPolicies } from './conflict-policy.js';

/** What the planner knows of one archive entry: identity and required references, not the body. */
export interface IncomingAsset {
  type: AssetKind;
  uuid: string;
  name: string;
  path: string;
  basePath?: string;
  /** Required references to other assets (shared policies, aliases, proxies). */
  requires: { type: AssetKind; uuid?: string; name: string }[];
  /** Set when the entry failed validation: the import cannot go ahead. */
  invalid?: string;
}

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

export interface ImportPlan {
  items: PlanItem[];
  /** True when a conflict (policy fail) or an invalid entry stops the whole import. */
  blocked: boolean;
  counts: Record<AssetKind, Record<'created' | 'overwritten' | 'renamed' | 'skipped' | 'failed', number>>;
  /** Where references to an archive asset must point in the target: "type:uuid" → target. */
  references: PlanReferences;
}

/** What a reference to an archive asset becomes in the target project. */
export interface ReferenceTarget {
  uuid: string;
  name: string;
}

/**
 * Where references to archive assets must point, kept through the whole import. Per type,
 * a Map keyed by the archive's own uuid string (no "type:uuid" string made per asset), and
 * for the common case, an asset created as it is, only its name: 100,000 assets cost a Map
 * entry each instead of a key string, a Map entry and a target object.
 */
export class PlanReferences {
  private readonly byType = new Map<AssetKind, Map<string, string | ReferenceTarget>>();

  /** The target of `"type:uuid"` (the archive's uuid). */
  get(key: string): ReferenceTarget | undefined {
    const colon = key.indexOf(':');
    return colon < 0 ? undefined : this.resolve(key.slice(0, colon) as AssetKind, key.slice(colon + 1));
  }

  resolve(type: AssetKind, uuid: string): ReferenceTarget | undefined {
    const held = this.byType.get(type)?.get(uuid);
    return typeof held === 'string' ? { uuid, name: held } : held;
  }

  has(type: AssetKind, uuid: string): boolean {
    return this.byType.get(type)?.has(uuid) ?? false;
  }

  set(type: AssetKind, uuid: string, target: ReferenceTarget): void {
    let ofType = this.byType.get(type);
    if (!ofType) this.byType.set(type, (ofType = new Map()));
    ofType.set(uuid, target.uuid === uuid ? target.name : { uuid: target.uuid, name: target.name });
  }

  delete(type: AssetKind, uuid: string): void {
    this.byType.get(type)?.delete(uuid);
  }
}

/** A Map per asset type keyed by a plain string (a uuid or a name), for the planner's lookups. */
class ByType<T> {
  private readonly maps = new Map<AssetKind, Map<string, T>>();

  get(type: AssetKind, key: string): T | undefined {
    return this.maps.get(type)?.get(key);
  }

  has(type: AssetKind, key: string): boolean {
    return this.maps.get(type)?.has(key) ?? false;
  }

  set(type: AssetKind, key: string, value: T): void {
    let ofType = this.maps.get(type);
    if (!ofType) this.maps.set(type, (ofType = new Map()));
    ofType.set(key, value);
  }
}

const RENAME_SUFFIX = '-imported';

/** Actions whose asset the import keeps or creates: what a reference may point to. */
const USABLE: ReadonlySet<PlanAction> = new Set(['create', 'overwrite', 'rename']);

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
export function planImport(incoming: IncomingAsset[], target: TargetCatalog, policies: ConflictPolicies, options: PlanOptions = {}): ImportPlan {
  // A plan for 100,000 assets is held while the import runs: one item per asset and the
  // lookups below, no more (each per-asset map or string set costs megabytes at that size).
  const items: PlanItem[] = [];
  const references = new PlanReferences();
  // Names only a rename must avoid: kept for the types whose policy is rename.
  const claimedNames = new Set<string>();
  const claimName = (type: AssetKind, name: string): void => {
    if (policies[type] === 'rename') claimedNames.add(`${type}:${name.toLowerCase()}`);
  };
  const nameFree = (type: AssetKind, name: string): boolean => !target.nameTaken(type, name) && !claimedNames.has(`${type}:${name.toLowerCase()}`);

  // Dependencies first, so a dependent sees what became of what it needs. items[i] is the
  // item of ordered[i].
  const ordered = [...incoming].sort((a, b) => ASSET_KINDS.indexOf(a.type) - ASSET_KINDS.indexOf(b.type));
  // The first asset of each type:uuid and each type:name; a later one with either is a duplicate.
  const itemByUuid = new ByType<PlanItem>();
  const itemByName = new ByType<PlanItem>();

  for (const asset of ordered) {
    const base: PlanItem = { type: asset.type, uuid: asset.uuid, name: asset.name, path: asset.path, action: 'create', warnings: [] };
    if (asset.invalid) {
      items.push({ ...base, action: 'invalid', error: asset.invalid });
      continue;
    }
    const sameUuid = itemByUuid.has(asset.type, asset.uuid);
    if (sameUuid || itemByName.has(asset.type, asset.name)) {
      items.push({ ...base, action: 'failed', error: `another ${asset.type} in this archive has the same ${sameUuid ? 'uuid' : 'name'}; the first one wins` });
      continue;
    }

    const item = decide(asset, base);
    items.push(item);
    itemByUuid.set(asset.type, asset.uuid, item);
    itemByName.set(asset.type, asset.name, item);
    if (item.action !== 'conflict' && item.action !== 'failed') references.set(asset.type, asset.uuid, { uuid: item.uuid, name: item.newName ?? item.name });
  }

  function decide(asset: IncomingAsset, base: PlanItem): PlanItem {
    const existing = target.byUuid(asset.type, asset.uuid) ?? target.byName(asset.type, asset.name);
    const replaceOnly = options.onlyReplace?.get(asset.path);
    if (!existing) {
      if (replaceOnly) return { ...base, action: 'failed', error: replaceOnly };
      claimName(asset.type, asset.name);
      return base;
    }
    const how = existing.uuid === asset.uuid ? 'uuid' : 'name';
    switch (policies[asset.type]) {
      case 'fail':
        return { ...base, action: options.clashFailsAsset ? 'failed' : 'conflict', error: `${asset.type} "${existing.name}" already exists in the project (same ${how})` };
      case 'keep':
        return { ...base, uuid: existing.uuid, name: existing.name, sourceUuid: asset.uuid, action: 'skip', warnings: [`kept the existing ${asset.type} "${existing.name}"`] };
      case 'overwrite': {
        const holder = target.byName(asset.type, asset.name);
        if (holder && holder.uuid !== existing.uuid) {
          return { ...base, action: 'failed', error: `cannot overwrite: the name "${asset.name}" belongs to another ${asset.type} (${holder.uuid})` };
        }
        claimName(asset.type, asset.name);
        const warnings = how === 'name' ? [`matched by name; the existing uuid ${existing.uuid} is kept (the archive has ${asset.uuid})`] : [];
        return { ...base, uuid: existing.uuid, sourceUuid: asset.uuid, action: 'overwrite', warnings };
      }
      case 'rename': {
        if (replaceOnly) return { ...base, action: 'failed', error: replaceOnly };
        let n = 1;
        let newName = `${asset.name}${RENAME_SUFFIX}`;
        while (!nameFree(asset.type, newName)) newName = `${asset.name}${RENAME_SUFFIX}-${++n}`;
        claimName(asset.type, newName);
        const suffix = newName.slice(asset.name.length);
        return {
          ...base,
          uuid: derivedUuid(asset.uuid, newName),
          sourceUuid: asset.uuid,
          action: 'rename',
          newName,
          ...(asset.basePath !== undefined ? { newBasePath: `${asset.basePath.replace(/\/+$/, '')}${suffix}` } : {}),
        };
      }
    }
  }

  // A required reference must resolve to an asset that the import keeps or creates, or to one
  // already in the project; otherwise the dependent fails (and, in turn, its dependents).
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const asset = ordered[i]!;
      if (asset.requires.length === 0 || !USABLE.has(item.action)) continue;
      for (const need of asset.requires) {
        const inArchive = (need.uuid ? itemByUuid.get(need.type, need.uuid) : undefined) ?? itemByName.get(need.type, need.name);
        const usable = inArchive && !['failed', 'invalid', 'conflict'].includes(inArchive.action);
        const inTarget = (need.uuid ? target.byUuid(need.type, need.uuid) : undefined) ?? target.byName(need.type, need.name);
        if (usable) continue;
        if (inTarget) {
          if (need.uuid && !references.has(need.type, need.uuid)) references.set(need.type, need.uuid, { uuid: inTarget.uuid, name: inTarget.name });
          continue;
        }
        item.action = 'failed';
        item.dependencyFailed = true;
        item.error = `requires ${need.type} "${need.name}", which is neither usable in the archive nor present in the project`;
        references.delete(item.type, asset.uuid);
        changed = true;
        break;
      }
    }
  }

  const counts = Object.fromEntries(
    ASSET_KINDS.map((kind) => [kind, { created: 0, overwritten: 0, renamed: 0, skipped: 0, failed: 0 }]),
  ) as ImportPlan['counts'];
  const countKey: Partial<Record<PlanAction, keyof ImportPlan['counts'][AssetKind]>> = {
    create: 'created',
    overwrite: 'overwritten',
    rename: 'renamed',
    skip: 'skipped',
    failed: 'failed',
    conflict: 'failed',
    invalid: 'failed',
  };
  for (const item of items) counts[item.type][countKey[item.action] as keyof ImportPlan['counts'][AssetKind]]++;
  const blocked = items.some((i) => i.action === 'conflict' || i.action === 'invalid');
  return { items, blocked, counts, references };
}
