import { createHash } from 'node:crypto';
import type { ImportError, ImportItem } from '@sluice/model';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

type Obj = Record<string, any>;

/**
 * An OpenAPI 3 document as routes: one per path with the methods it declares, pointing at
 * `upstreamId`. Templated segments (`/pets/{id}`) become a regex match, plain paths an exact
 * match; the path part of the first server URL is put in front, and absolute server URLs
 * give the hosts. A path's id is its operationId when it has one operation, else the
 * methods and the path.
 */
export function openapiToRoutes(api: unknown, upstreamId: string): { items: ImportItem[]; errors: ImportError[] } {
  const errors: ImportError[] = [];
  const doc = (api ?? {}) as Obj;
  if (typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.')) {
    errors.push({ collection: 'routes', id: '', path: '/openapi', message: 'must be an OpenAPI 3.x document (openapi: 3.x.y)' });
    return { items: [], errors };
  }
  if (!doc.paths || typeof doc.paths !== 'object') {
    errors.push({ collection: 'routes', id: '', path: '/paths', message: 'is required' });
    return { items: [], errors };
  }
  const servers = (Array.isArray(doc.servers) ? doc.servers : []) as Obj[];
  const hosts = new Set<string>();
  let basePath = '';
  for (const [i, server] of servers.entries()) {
    const url = typeof server.url === 'string' ? server.url : '';
    const parsed = /^[a-z][a-z0-9+.-]*:\/\/([^/:?#]+)(?::\d+)?(\/[^?#]*)?/i.exec(url);
    if (parsed) hosts.add(parsed[1].toLowerCase());
    const path = parsed ? (parsed[2] ?? '') : url.startsWith('/') ? url : '';
    if (i === 0) basePath = path.replace(/\/+$/, '');
  }

  const items: ImportItem[] = [];
  const ids = new Set<string>();
  for (const [path, operations] of Object.entries(doc.paths as Obj)) {
    if (!path.startsWith('/') || !operations || typeof operations !== 'object') {
      errors.push({ collection: 'routes', id: '', path: `/paths/${escapePointer(path)}`, message: 'is not a path item starting with /' });
      continue;
    }
    const methods = METHODS.filter((m) => operations[m] && typeof operations[m] === 'object');
    if (methods.length === 0) continue;
    const full = `${basePath}${path}`;
    const single = methods.length === 1 ? operations[methods[0]] : undefined;
    let id = typeof single?.operationId === 'string' && ID_PATTERN.test(single.operationId) ? single.operationId : slugId(methods, full);
    if (ids.has(id)) id = slugId(methods, full);
    ids.add(id);
    const templated = /\{[^}]+\}/.test(full);
    const route: Obj = {
      id,
      name: `openapi ${methods.map((m) => m.toUpperCase()).join(',')} ${full}`.slice(0, 256),
      match: {
        paths: [templated ? { type: 'regex', value: pathRegex(full) } : { type: 'exact', value: full }],
        methods: methods.map((m) => m.toUpperCase()),
        ...(hosts.size ? { hosts: [...hosts] } : {}),
      },
      backends: [{ upstreamId, weight: 1 }],
      labels: { source: 'openapi' },
    };
    const summary = single?.summary ?? operations.summary;
    if (typeof summary === 'string' && summary) route.desc = summary.slice(0, 1024);
    items.push({ collection: 'routes', id, document: route });
  }
  return { items, errors };
}

/** `/pets/{id}/toys` → `/pets/[^/]+/toys`, everything else escaped. */
function pathRegex(path: string): string {
  return path
    .split(/(\{[^}]+\})/)
    .map((part) => (/^\{[^}]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
}

function slugId(methods: readonly string[], path: string): string {
  const slug = `${methods.join('-')}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+/g, '-')}`.replace(/-+$/, '').toLowerCase();
  if (slug.length <= 100) return slug;
  return `${slug.slice(0, 90)}-${createHash('sha256').update(slug).digest('hex').slice(0, 8)}`;
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}
