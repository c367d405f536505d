import { GatewayError } from '@sluice/model';

/** How long one etcd round trip may take before the caller gets a 503 instead of a hanging request. */
export const DEFAULT_ETCD_TIMEOUT_MS = 5_000;

/**
 * Runs one etcd operation with a deadline. Every failure that is not already a catalog error
 * means etcd could not answer (connection refused, breaker open, deadline passed), so it
 * becomes GW_ERR_ETCD_UNAVAILABLE rather than a 500.
 */
export async function etcdCall<T>(operation: () => Promise<T>, timeoutMs = DEFAULT_ETCD_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new GatewayError('GW_ERR_ETCD_UNAVAILABLE', { detail: `no answer within ${timeoutMs} ms` })), timeoutMs);
  });
  try {
    return await Promise.race([operation(), deadline]);
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw new GatewayError('GW_ERR_ETCD_UNAVAILABLE', { detail: (err as Error).message ?? String(err) });
  } finally {
    clearTimeout(timer);
  }
}
