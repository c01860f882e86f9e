/**
 * Memoises an async function for a short time, per key, with a bound on entries.
 * For data that changes only by editorial action (tiers, filter facets, counts):
 * readers may see it a few seconds late, and the database is not asked on every view.
 * Concurrent callers of a missing key share one pending call.
 */
export function memoizeWithTtl<Args extends unknown[], Value>(
  fn: (...args: Args) => Promise<Value>,
  options: { ttlMs: number; maxEntries?: number; key?: (...args: Args) => string },
): (...args: Args) => Promise<Value> {
  const { ttlMs, maxEntries = 500, key = (...args: Args) => JSON.stringify(args) } = options;
  const entries = new Map<string, { value: Promise<Value>; expires: number }>();
  return (...args: Args) => {
    const id = key(...args);
    const now = Date.now();
    const hit = entries.get(id);
    if (hit && hit.expires > now) return hit.value;
    const value = fn(...args);
    // A failed call is not remembered.
    value.catch(() => entries.delete(id));
    entries.delete(id);
    entries.set(id, { value, expires: now + ttlMs });
    // Maps keep insertion order: the first key is the oldest.
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    return value;
  };
}
