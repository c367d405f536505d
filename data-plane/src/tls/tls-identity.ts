import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

type IdentifiedSocket = TLSSocket & { sluiceTlsIdentity?: string };

/**
 * The one SNI/Host rule of the TLS front (RFC 9110 §15.5.20, as nginx): a TLS connection is
 * set up for one TLS identity — one certificate with one client-certificate policy: the ssl
 * document's id on the main HTTPS port, the listener's id on a Gateway listener socket (a
 * socket only ever compares identities of its own kind) — chosen by its server name. A request on it whose host needs another identity is misdirected (421): serving
 * it would let a client name an open host in SNI and reach one that demands client
 * certificates, or is served with another certificate.
 */
export function setTlsIdentity(socket: TLSSocket, identity: string): void {
  (socket as IdentifiedSocket).sluiceTlsIdentity = identity;
}

/** The identity a TLS connection was set up for; undefined for plain connections. */
export function tlsIdentityOf(socket: Socket): string | undefined {
  return (socket as IdentifiedSocket).sluiceTlsIdentity;
}

/** True when `hostIdentity` (what the request's host needs) is known and is not `connection`'s. */
export function isMisdirected(connection: string | undefined, hostIdentity: string | undefined): boolean {
  return connection !== undefined && hostIdentity !== undefined && hostIdentity !== connection;
}
