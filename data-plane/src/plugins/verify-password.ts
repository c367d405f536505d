import { createHash, timingSafeEqual } from 'node:crypto';
import md5Module from 'apache-md5';
import bcrypt from 'bcryptjs';

// apache-md5 is CommonJS (`module.exports = fn`) but its types declare a default export.
type AprMd5 = (password: string, salt?: string) => string;
const md5 = ((md5Module as unknown as { default?: AprMd5 }).default ?? md5Module) as unknown as AprMd5;

/**
 * Checks a password against what a consumer stores: an htpasswd hash ($apr1$ MD5, bcrypt
 * $2a$/$2b$/$2y$, {SHA}) or, failing those prefixes, the plain password. bcrypt is slow on
 * purpose, so it is the one async case.
 */
export function verifyPassword(password: string, stored: string): boolean | Promise<boolean> {
  if (stored.startsWith('$apr1$')) return constantTimeEqual(md5(password, stored), stored);
  if (/^\$2[aby]\$/.test(stored)) return bcrypt.compare(password, stored.replace(/^\$2y\$/, '$2b$'));
  if (stored.startsWith('{SHA}')) return constantTimeEqual(`{SHA}${createHash('sha1').update(password).digest('base64')}`, stored);
  return constantTimeEqual(password, stored);
}

function constantTimeEqual(a: string, b: string): boolean {
  // Digests first: equal lengths, and the comparison time says nothing about the secret.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
