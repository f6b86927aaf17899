// Passwords are stored only as salted scrypt hashes (node:crypto, RFC 7914); secrets the platform
// generates itself (devices, services) as salted SHA-256 (see hashGeneratedSecret).
// Format: scrypt$N$r$p$saltB64$hashB64. Verification is constant-time.
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 32;
const DEFAULT_COST = { N: 16384, r: 8, p: 1 } as const;

function scrypt(secret: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(secret, salt, KEY_LENGTH, { ...options, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, DEFAULT_COST);
  const { N, r, p } = DEFAULT_COST;
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/**
 * Hash for a secret WE generated (192 random bits, see generateSecret): a salted SHA-256 is as
 * unguessable as scrypt for such a secret (no dictionary to try), and costs microseconds instead of
 * ~40 ms — so 10,000 devices reconnecting after a broker restart are not 10 minutes of scrypt.
 * Never use it for human-chosen passwords. Format: sha256$saltB64$hashB64.
 */
export function hashGeneratedSecret(secret: string): string {
  const salt = randomBytes(16);
  const digest = createHash('sha256').update(salt).update(secret).digest();
  return `sha256$${salt.toString('base64')}$${digest.toString('base64')}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  if (isGeneratedSecretHash(stored)) return verifyGeneratedSecret(secret, stored);
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt = '', hash = ''] = parts;
  const expected = Buffer.from(hash, 'base64');
  const key = await scrypt(secret, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A random secret for a device or a service: 24 bytes, URL-safe. */
export function generateSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** Whether `stored` is hashGeneratedSecret's format (checked without a promise: verifyGeneratedSecret). */
export function isGeneratedSecretHash(stored: string): boolean {
  return stored.startsWith('sha256$');
}

/** Checks a secret against hashGeneratedSecret's `sha256$saltB64$hashB64`, synchronously and in constant time. */
export function verifyGeneratedSecret(secret: string, stored: string): boolean {
  const saltEnd = stored.indexOf('$', 7);
  if (saltEnd < 0) return false;
  const expected = Buffer.from(stored.slice(saltEnd + 1), 'base64');
  const digest = createHash('sha256').update(Buffer.from(stored.slice(7, saltEnd), 'base64')).update(secret).digest();
  return digest.length === expected.length && timingSafeEqual(digest, expected);
}
