import type { ValidationIssue } from '@sluice/model';
import type { Document } from '../store/etcd-repo.js';
import { sslPairIssues } from './ssl-certificate.js';
import { streamPortIssues, type GatewayPort } from './stream-port-issues.js';

/** What the checks may know of the running system. */
export interface RuntimeContext {
  /** Ports the live data planes' own listeners hold. */
  gatewayPorts(): Promise<readonly GatewayPort[]>;
}

const NO_CONTEXT: RuntimeContext = { gatewayPorts: async () => [] };

/**
 * Checks that need Node's crypto or the live system, and so cannot live in the browser-safe
 * model: run by the admin API on every write and import, after the schema.
 */
const CHECKS: Readonly<Record<string, (doc: Document, context: RuntimeContext) => ValidationIssue[] | Promise<ValidationIssue[]>>> = {
  ssls: (doc) => sslPairIssues(doc),
  'stream-routes': async (doc, context) => streamPortIssues(doc, await context.gatewayPorts()),
};

export async function runtimeIssues(collection: string, doc: Document, context: RuntimeContext = NO_CONTEXT): Promise<ValidationIssue[]> {
  return (await CHECKS[collection]?.(doc, context)) ?? [];
}
