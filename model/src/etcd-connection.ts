/** How a process reaches etcd: the `--etcd*` and `--prefix` flags, shared by every process. */
export interface EtcdConnectionOptions {
  /** Endpoints, e.g. ['http://127.0.0.1:2379']. */
  etcd: string[];
  prefix: string;
  etcdUsername?: string;
  etcdPassword?: string;
  /** Files: CA to verify etcd's certificate; client certificate and key for mTLS. */
  etcdCa?: string;
  etcdCert?: string;
  etcdKey?: string;
}

/**
 * The etcd3 client options for a connection (`hosts`, `auth`, `credentials`). Pure: the caller
 * passes how to read the PEM files, so this module stays browser-safe.
 */
export function etcdClientOptions(conn: EtcdConnectionOptions, readFile: (path: string) => Buffer, hosts: string[] = conn.etcd) {
  return {
    hosts,
    auth: conn.etcdUsername ? { username: conn.etcdUsername, password: conn.etcdPassword ?? '' } : undefined,
    credentials:
      conn.etcdCa || conn.etcdCert
        ? {
            rootCertificate: conn.etcdCa ? readFile(conn.etcdCa) : (undefined as unknown as Buffer),
            certChain: conn.etcdCert ? readFile(conn.etcdCert) : undefined,
            privateKey: conn.etcdKey ? readFile(conn.etcdKey) : undefined,
          }
        : undefined,
  };
}
