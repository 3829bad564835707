import type { ImportPayload } from '#jobs';

/**
 * Rewrites a proxy's backend addresses from the source environment to the target: each
 * endpointMap key is matched as a prefix of an address, the longest key winning.
 */
export function mapEndpoints(doc: Record<string, unknown>, endpointMap: Record<string, string>): { doc: Record<string, unknown>; rewritten: number } {
  const routing = doc.routing as { addressList?: { address: string }[] } | undefined;
  if (!routing?.addressList) return { doc, rewritten: 0 };
  const keys = Object.keys(endpointMap).sort((a, b) => b.length - a.length);
  let rewritten = 0;
  const addressList = routing.addressList.map((entry) => {
    const key = keys.find((k) => entry.address.startsWith(k));
    if (key === undefined) return entry;
    rewritten++;
    return { ...entry, address: endpointMap[key] + entry.address.slice(key.length) };
  });
  return { doc: { ...doc, routing: { ...routing, addressList } }, rewritten };
}

/** The import options that replace parts of every imported proxy. */
export function applyProxyOverrides(doc: Record<string, unknown>, payload: ImportPayload): { doc: Record<string, unknown>; warnings: string[] } {
  let out = { ...doc };
  const warnings: string[] = [];
  if (payload.routing) out.routing = structuredClone(payload.routing);
  if (payload.maintenanceMode !== undefined) out.maintenanceMode = payload.maintenanceMode;
  if (payload.endpointMap && Object.keys(payload.endpointMap).length > 0) {
    const mapped = mapEndpoints(out, payload.endpointMap);
    out = mapped.doc;
    if (mapped.rewritten > 0) warnings.push(`${mapped.rewritten} backend address(es) rewritten by endpointMap`);
  }
  // Deployment state describes the source's runtimes; deployments are made by deploy options.
  delete out.deployments;
  return { doc: out, warnings };
}
