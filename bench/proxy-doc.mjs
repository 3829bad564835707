// The proxy document the library-level memory benchmarks write: two endpoints' worth of
// definition and 20 policy steps, about 800 bytes of JSON, like bench/run.mjs seeds.
import { randomUUID } from 'node:crypto';

export function benchProxyDoc(i) {
  const step = (n) => ({ name: `policy-${n}`, type: 'HEADER', config: { header: `x-bench-${n}`, value: `value-${i}-${n}` } });
  return {
    uuid: randomUUID(),
    name: `proxy-${String(i).padStart(6, '0')}`,
    basePath: `/proxy-${i}`,
    endpoints: [{ method: 'GET', path: '/items', operation: 'list' }],
    policies: { request: Array.from({ length: 14 }, (_, n) => step(n)), response: Array.from({ length: 6 }, (_, n) => step(14 + n)) },
  };
}
