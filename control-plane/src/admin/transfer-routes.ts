import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import YAML from 'yaml';
import { GatewayError, kindByCollection, kinds, redactSecrets, type ImportItem, type ImportPlan } from '@sluice/model';
import type { EtcdRepo } from '../store/etcd-repo.js';
import { requireAdmin } from './api-key-auth.js';
import { planImport } from './import-plan.js';
import type { RuntimeContext } from './runtime-checks.js';
import { matchesListQuery, type ListQuery } from './list-query.js';
import { openapiToRoutes } from './openapi-to-routes.js';
import { parseLabelFilters } from './parse-label-filters.js';
import type { WriteRecorder } from './write-recorder.js';

const API_ROOT = '/api/v1';
/** etcd refuses transactions with more operations than its --max-txn-ops (128 by default). */
export const DEFAULT_MAX_IMPORT_WRITES = 128;

export interface TransferRoutesOptions {
  /** The live system, for checks such as stream ports the data planes hold. */
  runtime?: RuntimeContext;
  repo: EtcdRepo;
  recordWrite: WriteRecorder;
  maxImportWrites?: number;
}

type Query = Record<string, string | string[] | undefined>;
const single = (v: string | string[] | undefined) => (Array.isArray(v) ? v[v.length - 1] : v);
const flag = (v: string | string[] | undefined) => ['', 'true', '1'].includes(single(v) ?? 'no');

/** `GET /export` and `POST /import`, `POST /import/openapi`: documents as multi-document YAML, applied in one transaction. */
export async function transferRoutes(
  app: FastifyInstance,
  { repo, recordWrite, runtime, maxImportWrites = DEFAULT_MAX_IMPORT_WRITES }: TransferRoutesOptions,
): Promise<void> {
  app.get(
    `${API_ROOT}/export`,
    { schema: { tags: ['admin'], summary: 'Documents as multi-document YAML' } },
    async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
      const includeSecrets = flag(request.query.includeSecrets);
      if (includeSecrets) requireAdmin(request, 'exporting secrets');
      const collections = exportCollections(single(request.query.collections));
      const filter = exportFilter(request.query);
      const parts: string[] = [];
      for (const collection of collections) {
        const spec = kindByCollection(collection)!;
        for (const stored of await repo.listAll(collection)) {
          if (!matchesListQuery(filter, stored.id, stored.doc)) continue;
          // Without secrets, each one is the placeholder: importing the file back keeps the stored values.
          const document = includeSecrets ? stored.doc : redactSecrets(spec, stored.doc);
          parts.push(YAML.stringify({ collection, id: stored.id, document } satisfies ImportItem, { lineWidth: 0 }));
        }
      }
      reply.type('application/yaml; charset=utf-8').header('content-disposition', 'attachment; filename="sluice-export.yaml"');
      return parts.join('---\n');
    },
  );

  app.post(
    `${API_ROOT}/import`,
    { schema: { tags: ['admin'], summary: 'Import documents (YAML or JSON) in one transaction; ?dryRun=true previews' } },
    async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
      requireAdmin(request, 'importing');
      return applyImport(request, reply, parseItems(request.body));
    },
  );

  app.post(
    `${API_ROOT}/import/openapi`,
    { schema: { tags: ['admin'], summary: 'Import an OpenAPI 3 document as routes to ?upstream=<id>' } },
    async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
      requireAdmin(request, 'importing');
      const upstreamId = single(request.query.upstream);
      if (!upstreamId) throw new GatewayError('GW_ERR_BAD_REQUEST', { detail: 'upstream=<id> is required: the upstream every imported route points at' });
      const docs = parseYamlDocuments(request.body);
      if (docs.length !== 1) throw new GatewayError('GW_ERR_BAD_REQUEST', { detail: 'the body must be one OpenAPI 3 document (JSON or YAML)' });
      const { items, errors } = openapiToRoutes(docs[0], upstreamId);
      return applyImport(request, reply, items, errors);
    },
  );

  async function applyImport(request: FastifyRequest<{ Querystring: Query }>, reply: FastifyReply, items: unknown[], extraErrors: ImportPlan['errors'] = []) {
    const { plan, writes } = await planImport(repo, items, runtime);
    plan.errors.unshift(...extraErrors);
    if (flag(request.query.dryRun)) return plan;
    if (plan.errors.length === 0 && writes.length > maxImportWrites) {
      plan.errors.push({
        collection: '',
        id: '',
        path: '',
        message: `${writes.length} documents would change; one transaction takes at most ${maxImportWrites} (etcd --max-txn-ops): import in parts`,
      });
    }
    if (plan.errors.length) {
      const first = plan.errors[0];
      const error = new GatewayError(
        'GW_ERR_IMPORT_INVALID',
        { detail: `${plan.errors.length} error(s), first: ${[first.collection, first.id].filter(Boolean).join('/')}${first.path} ${first.message}` },
        plan.errors,
      );
      return reply.status(400).send({ ...error.toJSON(), ...plan });
    }
    if (writes.length === 0) return plan;
    const revision = await repo.putAll(writes);
    await recordWrite(
      request,
      revision,
      writes.map((w) => ({ action: 'import' as const, collection: w.collection, id: w.id, before: w.before, after: w.doc })),
    );
    return { ...plan, revision };
  }
}

function exportCollections(text: string | undefined): string[] {
  const writable = kinds.filter((k) => k.adminWritable).map((k) => k.collection);
  if (!text) return writable;
  const asked = text
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  for (const c of asked) {
    if (!kindByCollection(c)?.adminWritable)
      throw new GatewayError('GW_ERR_BAD_REQUEST', { detail: `collections: ${c} is not a document collection (one of ${writable.join(', ')})` });
  }
  return asked;
}

/** `label=k=v` (repeatable or comma-separated; `k` alone = has the label) and `owner=admin|kubernetes|<Kind>`. */
function exportFilter(query: Query): ListQuery {
  return { labels: parseLabelFilters(query.label, '='), owner: single(query.owner) || undefined, limit: 1 };
}

/** The import body: YAML documents each `{collection, id, document}`, or JSON (an array, `{items}`, or one item). */
function parseItems(body: unknown): unknown[] {
  const docs = parseYamlDocuments(body);
  if (docs.length === 1 && Array.isArray(docs[0])) return docs[0];
  if (docs.length === 1 && docs[0] && typeof docs[0] === 'object' && Array.isArray((docs[0] as { items?: unknown }).items)) {
    return (docs[0] as { items: unknown[] }).items;
  }
  return docs.filter((d) => d !== null && d !== undefined);
}

function parseYamlDocuments(body: unknown): unknown[] {
  if (body === undefined || body === null || body === '') throw new GatewayError('GW_ERR_BAD_REQUEST', { detail: 'the body is empty' });
  if (typeof body !== 'string') return [body];
  const docs = YAML.parseAllDocuments(body);
  const errors = (Array.isArray(docs) ? docs : [docs]).flatMap((d) => d.errors);
  if (errors.length) throw new GatewayError('GW_ERR_BAD_REQUEST', { detail: `the body is not valid YAML or JSON: ${errors[0].message}` });
  return (Array.isArray(docs) ? docs : [docs]).map((d) => d.toJS({ maxAliasCount: 100 }));
}
