import { randomBytes } from 'node:crypto';

/**
 * A short random id, safe in a URL and an etcd key: 12 base64url characters (72 bits).
 * It starts with a letter or digit, as the model's Id pattern requires.
 */
export function generateId(): string {
  for (;;) {
    const id = randomBytes(9).toString('base64url');
    if (/^[A-Za-z0-9]/.test(id)) return id;
  }
}
