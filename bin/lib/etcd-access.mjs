import fs from 'node:fs';
import { Etcd3, EtcdAuthenticationFailedError, EtcdPermissionDeniedError, GRPCUnauthenticatedError } from 'etcd3';
import { etcdClientOptions, normalizePrefix } from '@sluice/model';

/** Thrown for settings that cannot work: the CLI prints the message and exits 2, never a stack or a restart loop. */
export class EtcdAccessError extends Error {}

/**
 * Checks the etcd settings before a process starts: the certificate files can be read, and
 * the credentials may read the prefix. Unreachable etcd is NOT an error here (the data plane
 * serves its disk copy and retries; the admin API answers 503 until etcd is back): only
 * what retrying cannot fix is.
 */
export async function verifyEtcdAccess(conn, { timeoutMs = 5000 } = {}) {
  for (const [flag, file] of [
    ['--etcd-cacert', conn.etcdCa],
    ['--etcd-cert', conn.etcdCert],
    ['--etcd-key', conn.etcdKey],
  ]) {
    if (file === undefined) continue;
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch (err) {
      throw new EtcdAccessError(`${flag} ${file} cannot be read: ${err.code ?? err.message}`);
    }
  }
  if (Boolean(conn.etcdCert) !== Boolean(conn.etcdKey)) throw new EtcdAccessError('--etcd-cert and --etcd-key go together: give both or neither');
  if (conn.etcdPassword !== undefined && !conn.etcdUsername) throw new EtcdAccessError('--etcd-password needs --etcd-user');
  const client = new Etcd3({
    ...etcdClientOptions(conn, (f) => fs.readFileSync(f)),
    dialTimeout: timeoutMs,
    defaultCallOptions: () => ({ deadline: Date.now() + timeoutMs }),
  });
  try {
    await client
      .getAll()
      .prefix(`${normalizePrefix(conn.prefix)}/`)
      .limit(1)
      .keys();
  } catch (err) {
    if (err instanceof EtcdAuthenticationFailedError || err instanceof GRPCUnauthenticatedError) {
      throw new EtcdAccessError(`etcd refused the credentials of --etcd-user ${conn.etcdUsername ?? '(none)'}: ${err.message}`);
    }
    if (err instanceof EtcdPermissionDeniedError) {
      throw new EtcdAccessError(
        `etcd user ${conn.etcdUsername ?? '(none)'} may not read ${normalizePrefix(conn.prefix)}/: ${err.message} (grant its role readwrite on that prefix)`,
      );
    }
    return { reachable: false, error: err.message };
  } finally {
    client.close();
  }
  return { reachable: true };
}

/** verifyEtcdAccess for a CLI process: a setting that cannot work exits 2 with one clear line; unreachable etcd only warns. */
export async function ensureEtcdAccess(conn, who) {
  try {
    const { reachable, error } = await verifyEtcdAccess(conn);
    if (!reachable) console.error(`${who}: etcd ${conn.etcd.join(',')} not reachable yet (${error}); starting anyway and retrying`);
  } catch (err) {
    if (!(err instanceof EtcdAccessError)) throw err;
    console.error(`gateway ${who}: ${err.message}`);
    process.exit(2);
  }
}
