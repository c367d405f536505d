import fs from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';

/** Where Kubernetes mounts a pod's service-account token, CA and namespace. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeConnectionOptions {
  /** --kubeconfig: a kubeconfig file; it wins over everything else. */
  kubeconfig?: string;
  /**
   * Folder that stands in for `/` when looking for the service account (the `pathPrefix` of
   * `loadFromCluster()`): '' in production, a temp dir in tests.
   */
  serviceAccountRoot?: string;
}

export interface LoadedKubeConfig {
  kubeConfig: KubeConfig;
  /** Where the connection came from, for the start-up line and errors: a file, the pod's service account, or the default kubeconfig. */
  origin: string;
}

/**
 * A pod: the kubelet sets KUBERNETES_SERVICE_HOST/PORT in every container and mounts the
 * service-account token (unless automountServiceAccountToken is false, when the pod has no
 * identity to use anyway).
 */
export function runsInCluster(serviceAccountRoot = ''): boolean {
  return (
    Boolean(process.env.KUBERNETES_SERVICE_HOST && process.env.KUBERNETES_SERVICE_PORT) && fs.existsSync(`${serviceAccountRoot}${SERVICE_ACCOUNT_DIR}/token`)
  );
}

/**
 * The one KubeConfig of a process, shared by its informers, lease election, status writers and
 * Events: `--kubeconfig FILE` when given; in a pod its service account (`loadFromCluster()`,
 * whose token is re-read as the kubelet rotates it); elsewhere the default kubeconfig
 * (`loadFromDefault()`: $KUBECONFIG, then ~/.kube/config), as kubectl and client-go do.
 */
export function loadKubeConfig({ kubeconfig, serviceAccountRoot = '' }: KubeConnectionOptions = {}): LoadedKubeConfig {
  const kubeConfig = new KubeConfig();
  if (kubeconfig) {
    try {
      kubeConfig.loadFromFile(kubeconfig);
    } catch (err) {
      throw new Error(`--kubeconfig ${kubeconfig} cannot be loaded: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return { kubeConfig, origin: `kubeconfig ${kubeconfig}` };
  }
  if (runsInCluster(serviceAccountRoot)) {
    kubeConfig.loadFromCluster(serviceAccountRoot);
    return { kubeConfig, origin: `the pod's service account (${kubeConfig.getCurrentCluster()?.server})` };
  }
  kubeConfig.loadFromDefault();
  const from = process.env.KUBECONFIG ? `$KUBECONFIG (${process.env.KUBECONFIG})` : '~/.kube/config';
  return { kubeConfig, origin: `the default kubeconfig, ${from} (${kubeConfig.getCurrentCluster()?.server})` };
}
