import { createHash, randomBytes } from 'node:crypto';

/**
 * Keys are stored as their SHA-256. A slow password hash (bcrypt, scrypt) guards guessable
 * passwords, but it would cost ~50 ms on EVERY request, since a key is checked per request;
 * the keys this API makes carry 256 random bits, so a fast hash leaves nothing to guess.
 */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** 256 random bits, URL-safe, with a prefix that makes a leaked key easy to spot. */
export function generateKey(): string {
  return `sk_${randomBytes(32).toString('base64url')}`;
}
