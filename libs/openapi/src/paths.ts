/** Gateway path = proxy base path + endpoint path, with exactly one "/" between them. */
export function joinPath(basePath: string, path: string): string {
  const base = basePath.replace(/\/+$/, '');
  if (path === '/' || path === '') return base === '' ? '/' : base;
  return `${base}${path.startsWith('/') ? '' : '/'}${path}`;
}

/** The endpoint path of a gateway path under a base path; undefined when it lies outside. */
export function stripBasePath(basePath: string, fullPath: string): string | undefined {
  const base = basePath.replace(/\/+$/, '');
  if (base === '') return fullPath.startsWith('/') ? fullPath : `/${fullPath}`;
  if (fullPath === base) return '/';
  if (fullPath.startsWith(`${base}/`)) return fullPath.slice(base.length);
  return undefined;
}

/** Two templates that differ only in parameter names describe one route: `/a/{id}` = `/a/{x}`. */
export function routeKey(method: string, fullPath: string): string {
  return `${method.toUpperCase()} ${fullPath.replace(/\{[^}]*\}/g, '{}')}`;
}

/** The names of a path's template parameters, in order, each once. */
export function templateParameters(path: string): string[] {
  return [...new Set([...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]))];
}

/**
 * A project (API group) name from a document title: letters, digits, ".", "_" and "-",
 * starting with a letter or digit, at most 128 characters. Undefined when nothing is left.
 */
export function groupNameFromTitle(title: string): string | undefined {
  const name = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/-+$/, '')
    .slice(0, 128);
  return name === '' ? undefined : name;
}
