import https from 'node:https';
import type { AddressInfo } from 'node:net';
import client from 'prom-client';
import { registerProcessMetrics } from '../observe/process-metrics.js';
import type { Resources, TranslateOptions } from '../translate/types.js';
import { reviewAdmission, type AdmissionReview } from './review-admission.js';

export interface WebhookServerOptions {
  /** PEM certificate (chain) and key the API server verifies through the webhook's caBundle. */
  cert: string | Buffer;
  key: string | Buffer;
  port: number;
  host?: string;
  /** The cluster as the source sees it right now. */
  resources: () => Resources;
  translateOptions: TranslateOptions;
  onError?: (err: Error) => void;
}

export interface WebhookServer {
  port: number;
  close(): Promise<void>;
}

/** The API server sends objects up to ~1.5 MiB; a review is that plus its old version. */
const MAX_BODY = 4 * 1024 * 1024;

/**
 * The validating admission webhook over HTTPS: `POST /validate` takes an `admission.k8s.io/v1`
 * AdmissionReview and answers one with `response.uid` echoing the request; `GET /healthz` for
 * probes; `GET /metrics` for Prometheus (reviews by kind and verdict, process metrics). A body that is not an AdmissionReview gets a 400 with the reason; no request can
 * crash the process.
 */
export async function createWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const { onError = () => {} } = options;
  const registry = new client.Registry();
  registerProcessMetrics(registry, 'webhook');
  const reviews = new client.Counter({
    name: 'sluice_webhook_admission_reviews_total',
    help: 'AdmissionReviews answered, by object kind and whether the object was allowed',
    labelNames: ['kind', 'allowed'] as const,
    registers: [registry],
  });
  const server = https.createServer({ cert: options.cert, key: options.key }, (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    req.on('error', (err) => onError(err));
    res.on('error', (err) => onError(err));
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return send(200, { status: 'ok' });
    if (req.method === 'GET' && path === '/metrics') {
      return void registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: Error) => send(500, { message: err.message }),
      );
    }
    if (path !== '/validate') return send(404, { message: `no route for ${path}` });
    if (req.method !== 'POST') return send(405, { message: 'POST an AdmissionReview' });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        send(413, { message: `body larger than ${MAX_BODY} bytes` });
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      let review: AdmissionReview;
      try {
        review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as AdmissionReview;
      } catch (err) {
        return send(400, { message: `body is not JSON: ${(err as Error).message}` });
      }
      const request = review?.request;
      if (review?.kind !== 'AdmissionReview' || !request || typeof request.uid !== 'string' || typeof request.kind?.kind !== 'string') {
        return send(400, { message: 'expected an admission.k8s.io/v1 AdmissionReview with request.uid and request.kind' });
      }
      try {
        const response = reviewAdmission(request, options.resources(), options.translateOptions);
        reviews.inc({ kind: request.kind.kind, allowed: String(response.allowed) });
        send(200, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response });
      } catch (err) {
        // The translator is not supposed to throw; if it does, refuse with the reason rather than hang the API server.
        onError(err as Error);
        send(200, {
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: { uid: request.uid, allowed: false, status: { code: 500, message: `sluice webhook failed: ${(err as Error).message}` } },
        });
      }
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  server.on('tlsClientError', (err) => onError(err));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => onError(err));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
