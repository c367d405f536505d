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
