export { buildAdmin, type AdminOptions } from './admin/build-admin.js';
export { createDocumentService, type DocumentService } from './admin/document-service.js';
export {
  createEtcdRepo,
  type EtcdRepo,
  type EtcdRepoOptions,
  type StoredDocument,
  type ListPage,
  type PutOptions,
  type DeleteOptions,
} from './store/etcd-repo.js';
export { etcdCall, DEFAULT_ETCD_TIMEOUT_MS } from './store/etcd-call.js';
export { runControlPlane, type ControlPlaneOptions } from './run-control-plane.js';
export { findOrInstallEtcd, startLocalEtcd, type LocalEtcd } from './local/local-etcd.js';
export { startExampleService, writeExampleDocuments } from './local/example-service.js';
export { translate } from './translate/index.js';
export type { Resources, TranslateOptions, TranslateResult, TranslateWarning, TranslatedDocument } from './translate/types.js';
export { readManifests } from './source/read-manifests.js';
export { resourcesFromObjects } from './source/resources-from-objects.js';
export { admitManifests } from './source/admit-manifests.js';
export { composeStandalone, convertStandalone } from './apisix/standalone-file.js';
export { createFileSource } from './source/file-source.js';
export { createKubeSource } from './source/kube-source.js';
export { loadKubeConfig, runsInCluster, SERVICE_ACCOUNT_DIR, type LoadedKubeConfig, type KubeConnectionOptions } from './source/load-kube-config.js';
export type { ResourceSource } from './source/resource-source.js';
export { createEtcdWriter, type EtcdWriter, type ApplyReport } from './sync/etcd-writer.js';
export { createRunner, type Runner } from './runner.js';
export { translateCluster, unionOfDocuments, type ClusterTranslateOptions, type ClusterTranslateResult } from './translate-cluster.js';
export type { ClusterSnapshot } from './source/cluster-snapshot.js';
export { translateGatewayApi, type GatewayObjectStatus, type GatewayTranslateOptions, type GatewayTranslateResult } from './gateway-api/index.js';
export { createGatewayApiStatusWriter, type GatewayApiStatusWriter, type GatewayApiStatusOptions } from './status/gateway-api-status.js';
export { mergeGatewayApiStatus } from './status/gateway-api-status-merge.js';
export { startIngressSync, DEFAULT_TRANSLATE_OPTIONS } from './start-ingress-sync.js';
export { runWebhook, type WebhookOptions, type RunningWebhook } from './webhook/run-webhook.js';
export { reviewAdmission, type AdmissionReview, type AdmissionRequest, type AdmissionResponse } from './webhook/review-admission.js';
export { translatePolicies } from './policy/translate-policies.js';
export { crdManifests, renderCrdFile } from './policy/crd-manifests.js';
