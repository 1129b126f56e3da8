import { createHash } from 'node:crypto';

/** A strong ETag: the SHA-256 of the stored bytes (the same bytes always have the same ETag). */
export const etagOf = (body: string) => `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
