/**
 * The mobile-client password on the device: encrypted with AES-GCM under a WebCrypto key that is
 * created non-extractable and kept in IndexedDB (a CryptoKey survives structured clone, and its bytes
 * can never be read out by script). The ciphertext goes into the device profile; neither the
 * password nor the key ever reach roaming settings, logs or URLs.
 */
import { SyncError } from '../../core/errors.js';
import { openDB } from 'idb';

const DB = 'crm-calendar-sync-keys';
const KEY_ID = 'device-key';

async function deviceKey(): Promise<CryptoKey> {
  const db = await openDB(DB, 1, { upgrade: (d) => void d.createObjectStore('keys') });
  try {
    const existing = (await db.get('keys', KEY_ID)) as CryptoKey | undefined;
    if (existing) return existing;
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    // Another pane may have created one meanwhile: `add` keeps the first, and everyone uses it.
    try {
      await db.add('keys', key, KEY_ID);
      return key;
    } catch {
      return (await db.get('keys', KEY_ID)) as CryptoKey;
    }
  } finally {
    db.close();
  }
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** `v1.<iv>.<ciphertext>`, base64. */
export async function sealSecret(secret: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv },
    await deviceKey(),
    new TextEncoder().encode(secret),
  );
  return `v1.${toBase64(iv)}.${toBase64(new Uint8Array(data))}`;
}

/** The secret, or an error when it was sealed on another device or browser profile (the key differs). */
export async function openSecret(sealed: string): Promise<string> {
  const [version, iv, data] = sealed.split('.');
  if (version !== 'v1' || !iv || !data) throw new SyncError('password-format', {});
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64(iv) },
      await deviceKey(),
      fromBase64(data),
    );
    return new TextDecoder().decode(plain);
  } catch {
    throw new SyncError('password-unreadable', {});
  }
}

/** Whether the device key is non-extractable (for the settings' security note and the tests). */
export async function deviceKeyIsExtractable(): Promise<boolean> {
  return (await deviceKey()).extractable;
}
