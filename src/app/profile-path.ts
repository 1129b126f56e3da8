/** A profile's values by dotted path (`sync.daysBack`): what the settings tabs read and edit. */
export const getPath = (o: unknown, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);

export function setPath<T>(o: T, path: string, value: unknown): T {
  const [head, ...rest] = path.split('.');
  const obj = (o ?? {}) as Record<string, unknown>;
  return { ...obj, [head!]: rest.length ? setPath(obj[head!], rest.join('.'), value) : value } as T;
}
