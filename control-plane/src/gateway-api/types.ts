import type { V1ConfigMap, V1Endpoints, V1EndpointSlice, V1Namespace, V1Secret, V1Service } from '@kubernetes/client-node';
import type { TranslatedDocument, TranslateWarning } from '../translate/types.js';

/** Kubernetes metadata as the Gateway API translator reads it. */
export interface GatewayObjectMeta {
  namespace?: string;
  name?: string;
  uid?: string;
  generation?: number;
  creationTimestamp?: Date | string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * A Gateway API object (GatewayClass, Gateway, *Route, ReferenceGrant, BackendTLSPolicy, our
 * RoutePolicy). `@kubernetes/client-node` has no types for these CRDs; the translator reads
 * `spec` defensively (objects come from users), so a loose shape is the honest type.
 */
export interface GatewayApiObject {
  apiVersion?: string;
  kind?: string;
  metadata?: GatewayObjectMeta;
  spec?: any;
}

/** Everything the Gateway API translator reads: one immutable snapshot, pure data. */
export interface GatewayResources {
  gatewayClasses: readonly GatewayApiObject[];
  gateways: readonly GatewayApiObject[];
  /** ListenerSets (GEP-1713): more listeners for a Gateway that allows them. Optional: sources without the kind. */
  listenerSets?: readonly GatewayApiObject[];
  httpRoutes: readonly GatewayApiObject[];
  grpcRoutes: readonly GatewayApiObject[];
  tlsRoutes: readonly GatewayApiObject[];
  tcpRoutes: readonly GatewayApiObject[];
  udpRoutes: readonly GatewayApiObject[];
  referenceGrants: readonly GatewayApiObject[];
  backendTlsPolicies: readonly GatewayApiObject[];
  /** `sluice.dev` RoutePolicy objects, the target of HTTPRoute/GRPCRoute ExtensionRef filters: `spec.plugins`. */
  routePolicies: readonly GatewayApiObject[];
  /** Namespaces, for allowedRoutes label selectors. */
  namespaces: readonly V1Namespace[];
  services: readonly V1Service[];
  endpointSlices: readonly V1EndpointSlice[];
  endpoints: readonly V1Endpoints[];
  secrets: readonly V1Secret[];
  configMaps: readonly V1ConfigMap[];
}

export interface GatewayTranslateOptions {
  /** --controller-name: GatewayClasses whose spec.controllerName equals it are ours. */
  controllerName: string;
  /**
   * --gateway-address-pool CIDR (IPv4), e.g. 127.0.1.0/24: a Gateway without spec.addresses gets
   * the pool's n-th host address, n its rank among our Gateways sorted by namespace/name.
   */
  gatewayAddressPool?: string;
  /** Overrides the pool: the address of a Gateway without spec.addresses (undefined = all addresses). */
  allocateAddress?: (gateway: { namespace: string; name: string }, rank: number) => string | undefined;
}

/** A Kubernetes status condition, without lastTransitionTime: the status writer sets it (the translator has no clock). */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
}

/** What an object's `status` should become; the status writer applies it as is. */
export interface GatewayObjectStatus {
  /** "Kind/namespace/name" ("GatewayClass/name" for the cluster-scoped class). */
  object: string;
  kind: string;
  namespace?: string;
  name: string;
  status: Record<string, unknown>;
}

export interface GatewayTranslateResult {
  /** Sorted by collection then id. */
  documents: TranslatedDocument[];
  warnings: TranslateWarning[];
  /** Sorted by object. */
  statuses: GatewayObjectStatus[];
}

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
export const SLUICE_GROUP = 'sluice.dev';
