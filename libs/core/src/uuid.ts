const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a canonical uuid; lets a path segment be read as "uuid or name". */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
