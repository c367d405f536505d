import { describe, expect, it } from 'vitest';
import { kindByCollection, validateDocument } from '@sluice/model';
import { openapiToRoutes } from './openapi-to-routes.js';

describe('openapiToRoutes', () => {
  it('makes one valid route per path, regex for templated paths, hosts and base path from servers', () => {
    const { items, errors } = openapiToRoutes(
      {
        openapi: '3.1.0',
        servers: [{ url: 'https://api.example.test/v2/' }, { url: 'http://other.example.test:8080' }],
        paths: {
          '/users/{id}/posts/{post}.json': { get: { operationId: 'getPost' }, delete: {} },
          '/status': { get: { operationId: 'status check' } },
          '/empty': { parameters: [] },
        },
      },
      'backend',
    );
    expect(errors).toEqual([]);
    expect(items.map((i) => i.id)).toEqual(['get-delete-v2-users-id-posts-post-json', 'get-v2-status']);
    const [posts, status] = items.map((i) => i.document as Record<string, any>);
    expect(posts.match).toEqual({
      paths: [{ type: 'regex', value: '/v2/users/[^/]+/posts/[^/]+\\.json' }],
      methods: ['GET', 'DELETE'],
      hosts: ['api.example.test', 'other.example.test'],
    });
    expect(new RegExp(`^${posts.match.paths[0].value}$`).test('/v2/users/7/posts/9.json')).toBe(true);
    expect(new RegExp(`^${posts.match.paths[0].value}$`).test('/v2/users/7/posts/9xjson')).toBe(false);
    expect(status.match.paths).toEqual([{ type: 'exact', value: '/v2/status' }]);
    for (const item of items) expect(validateDocument(kindByCollection('routes')!, item.document)).toEqual([]);
  });

  it('uses the operationId of a single operation, and says what is wrong with a non-OpenAPI-3 document', () => {
    expect(openapiToRoutes({ openapi: '3.0.0', paths: { '/a': { post: { operationId: 'makeA' } } } }, 'u').items[0].id).toBe('makeA');
    expect(openapiToRoutes({ swagger: '2.0', paths: {} }, 'u').errors[0]).toMatchObject({ path: '/openapi' });
    expect(openapiToRoutes({ openapi: '3.0.0' }, 'u').errors[0]).toMatchObject({ path: '/paths' });
  });
});
