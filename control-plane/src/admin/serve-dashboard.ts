import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_ROOT } from './document-routes.js';

/**
 * Serves the built dashboard and returns the single-page fallback: a browser GET for a
 * client-side route (e.g. /routes/abc) gets index.html so the app can route it itself.
 */
export async function serveDashboard(app: FastifyInstance, dashboardDir: string) {
  await app.register(fastifyStatic, { root: dashboardDir, index: 'index.html', schemaHide: true });
  return (request: FastifyRequest, reply: FastifyReply): boolean => {
    const path = request.url.split('?')[0];
    const wantsPage = request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
    if (!wantsPage || path === API_ROOT || path.startsWith(`${API_ROOT}/`)) return false;
    void reply.sendFile('index.html');
    return true;
  };
}
