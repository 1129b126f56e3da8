/** Storing one calendar object: parsed and indexed, stored byte for byte with its strong ETag. */
import { etagOf } from './etag.js';
import { parseObject } from './ical.js';
import { COLLECTIONS, type CollectionName, type Conditions, type GatewayStore, type PutResult } from './store/types.js';

/** Parses `body` (ICalError when it is not one valid object of the collection's kind) and stores it. */
export function putObject(
  store: GatewayStore,
  user: string,
  name: CollectionName,
  href: string,
  body: string,
  cond: Conditions = {},
): Promise<PutResult> {
  const parsed = parseObject(body, COLLECTIONS[name].component);
  return store.put(user, name, { href, etag: etagOf(body), body, index: parsed.index }, cond);
}
