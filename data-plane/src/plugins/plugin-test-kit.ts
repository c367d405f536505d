import type { Consumer, PluginMap } from '@sluice/model';
import { validateDocument, kindByCollection } from '@sluice/model';
import { compilePluginChain } from './compile-plugins.js';
import { buildConsumerIndex } from './consumer-index.js';
import type { ShortCircuit } from './plugin.js';
import type { PluginChain } from './plugin-chain.js';
import { PluginContext } from './plugin-context.js';
import { createPluginRegistry, type PluginRegistry } from './registry.js';

/** Helpers for the plugin unit tests: real chains from real (validated) documents, no sockets. */
export interface RequestInit {
  method?: string;
  path?: string;
  query?: string;
  headers?: Record<string, string>;
  clientAddress?: string;
  scheme?: 'http' | 'https';
}

export function makeContext(init: RequestInit = {}, routeId = 'r1'): PluginContext {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(init.headers ?? {})) headers[k.toLowerCase()] = v;
  return new PluginContext(
    init.method ?? 'GET',
    init.path ?? '/',
    init.query ?? '',
    headers,
    init.clientAddress ?? '127.0.0.1',
    init.scheme ?? 'http',
    routeId,
  );
}

/** Compiles a route's plugins after checking them with the model, as the config store would. */
export function chainFor(plugins: PluginMap, consumers: Consumer[] = [], registry: PluginRegistry = createPluginRegistry()): PluginChain {
  const issues = validateDocument(kindByCollection('routes')!, { id: 'r1', plugins });
  if (issues.length) throw new Error(`invalid plugins: ${JSON.stringify(issues)}`);
  for (const c of consumers) {
    const consumerIssues = validateDocument(kindByCollection('consumers')!, c);
    if (consumerIssues.length) throw new Error(`invalid consumer: ${JSON.stringify(consumerIssues)}`);
  }
  const index = buildConsumerIndex(consumers, registry);
  const chain = compilePluginChain(plugins, undefined, [], registry, { routeId: 'r1', consumers: index });
  if (!chain) throw new Error('no chain');
  return chain;
}

/** Runs the request phases and, like the proxy, the response headers of the answer or of a 200. */
export async function exchange(chain: PluginChain, ctx: PluginContext, upstreamHeaders: string[] = []) {
  const answer = (await chain.runRequest(ctx)) as ShortCircuit | undefined;
  const head = answer ? chain.respond(ctx, answer) : chain.runResponseHeaders(ctx, 200, upstreamHeaders);
  const headers: Record<string, string> = {};
  for (let i = 0; i < head.headers.length; i += 2) headers[head.headers[i].toLowerCase()] = head.headers[i + 1];
  return { answered: answer !== undefined, status: head.status, headers, body: head.body, ctx };
}
