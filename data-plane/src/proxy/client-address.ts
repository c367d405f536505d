/**
 * The client's address as people write it: a dual-stack listener reports IPv4 clients as
 * `::ffff:1.2.3.4`, which must not leak into X-Forwarded-For, X-Real-IP or hashing.
 */
export function clientAddress(remote: string | undefined): string {
  if (remote === undefined) return '';
  return remote.length > 7 && remote.charCodeAt(0) === 58 /* : */ && remote.startsWith('::ffff:') && remote.includes('.', 7) ? remote.slice(7) : remote;
}
