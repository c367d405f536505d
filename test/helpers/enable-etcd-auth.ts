import type { Etcd3 } from 'etcd3';

/**
 * Turns on etcd authentication through `client`. etcd refuses to enable auth before a `root`
 * user with the `root` role exists, so that user is made first with `rootPassword`.
 */
export async function enableEtcdAuth(client: Etcd3, rootPassword: string): Promise<void> {
  await client.user('root').create(rootPassword);
  await client.user('root').addRole('root');
  await client.auth.authEnable({});
}
