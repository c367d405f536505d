import fs from 'node:fs';
import { pino } from 'pino';
import { createFileSource } from '../source/file-source.js';
import { createKubeSource } from '../source/kube-source.js';
import { loadKubeConfig } from '../source/load-kube-config.js';
import { emptyResources } from '../source/resources-from-objects.js';
import { DEFAULT_TRANSLATE_OPTIONS } from '../start-ingress-sync.js';
import type { Resources, TranslateOptions } from '../translate/types.js';
import { createWebhookServer } from './create-webhook-server.js';

export interface WebhookOptions {
  /** --webhook-cert / --webhook-key: PEM files. */
  certFile: string;
  keyFile: string;
  port: number;
  host?: string;
  /** Where existing objects come from (for conflicts and Ingress context): the API server, a folder, or nothing. */
  kubernetes?: boolean;
  kubeconfig?: string;
  /** Stands in for `/` when looking for the pod's service account (tests). */
  serviceAccountRoot?: string;
  manifests?: string;
  translate?: Partial<TranslateOptions>;
}

export interface RunningWebhook {
  port: number;
  /** Where the Kubernetes connection came from (Kubernetes mode only). */
  kubeOrigin?: string;
  stop(): Promise<void>;
}

/** `gateway webhook`: the source (if any) feeding the latest snapshot to the HTTPS admission server. */
export async function runWebhook(options: WebhookOptions): Promise<RunningWebhook> {
  const log = pino({ name: 'webhook', level: process.env.GATEWAY_LOG_LEVEL ?? 'warn' });
  const warn = (w: { object: string; message: string }) => log.warn(w, 'source warning');
  const kube = options.kubernetes || options.kubeconfig ? loadKubeConfig(options) : undefined;
  const source = kube
    ? createKubeSource({ kubeConfig: kube.kubeConfig, warn })
    : options.manifests
      ? createFileSource({ dir: options.manifests, warn })
      : undefined;
  let latest: Resources = emptyResources();
  await source?.start((resources) => (latest = resources));
  try {
    const server = await createWebhookServer({
      cert: fs.readFileSync(options.certFile),
      key: fs.readFileSync(options.keyFile),
      port: options.port,
      host: options.host,
      resources: () => latest,
      translateOptions: { ...DEFAULT_TRANSLATE_OPTIONS, ...options.translate },
      onError: (err) => log.warn({ err: err.message }, 'webhook connection error'),
    });
    return {
      port: server.port,
      kubeOrigin: kube?.origin,
      async stop() {
        await server.close();
        await source?.close();
      },
    };
  } catch (err) {
    await source?.close();
    throw err;
  }
}
