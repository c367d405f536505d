import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/**
 * A package a plugin needs, loaded the first time the getter is called and then kept. The
 * plugins' own libraries (undici for forward-auth and http-logger, ioredis for limit-count's
 * redis policy, the OpenTelemetry SDK, jose, bcryptjs) add more than 10 MiB to every worker,
 * and most configs use none of them; so a plugin calls its getter in `prepare`, which runs
 * when a document using it is compiled, never on a request. `require` is synchronous, so
 * compiling stays synchronous; Node 22.12+ also loads ES-module-only packages (jose) this way.
 * Pass `typeof import('pkg')` as T: a type-only reference, so nothing loads at import time.
 */
export function lazyRequire<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireHere(specifier) as T);
}
