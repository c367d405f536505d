import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_ROOT } from './document-routes.js';

/**
 * The dashboard's security headers. The built app has no inline script or style (Vite emits
 * files; React sets `style` through the CSSOM, which CSP does not govern), so 'self' is
 * enough everywhere. `data:` images are the blank favicon; framing is refused (clickjacking).
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * Serves the built dashboard with security headers and returns the single-page fallback: a
 * browser GET for a client-side route (e.g. /routes/abc) gets index.html so the app can
 * route it itself. Files are sent as the build precompressed them (brotli or gzip, as the
 * client accepts, with `Vary: Accept-Encoding`). Hashed assets are cached for good;
 * index.html is always revalidated, so a new build is picked up on the next load.
 */
export async function serveDashboard(app: FastifyInstance, dashboardDir: string) {
  await app.register(fastifyStatic, {
    root: dashboardDir,
    index: 'index.html',
    preCompressed: true,
    schemaHide: true,
    setHeaders: (reply, filePath) => {
      void reply.header('cache-control', /[\\/]assets[\\/]/.test(filePath) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(name)) reply.header(name, value);
    return payload;
  });
  return (request: FastifyRequest, reply: FastifyReply): boolean => {
    const path = request.url.split('?')[0];
    const wantsPage = request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
    if (!wantsPage || path === API_ROOT || path.startsWith(`${API_ROOT}/`)) return false;
    void reply.header('cache-control', 'no-cache').sendFile('index.html');
    return true;
  };
}
