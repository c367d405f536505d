import type { V1ConfigMap, V1Endpoints, V1Ingress, V1IngressClass, V1Secret, V1Service, V1EndpointSlice } from '@kubernetes/client-node';
import type { ConsumerResource, RoutePolicy } from '../policy/crd-schemas.js';
import type { PolicyStatus } from '../policy/policy-conditions.js';

/**
 * Everything the translator reads, as one immutable snapshot of Kubernetes objects (from the
 * API server through informers, or from a folder of manifests). Pure data: no clients here.
 */
export interface Resources {
  ingresses: readonly V1Ingress[];
  ingressClasses: readonly V1IngressClass[];
  services: readonly V1Service[];
  endpointSlices: readonly V1EndpointSlice[];
  /** Legacy Endpoints, used for Services without EndpointSlices (selector-less Services). */
  endpoints: readonly V1Endpoints[];
  secrets: readonly V1Secret[];
  configMaps: readonly V1ConfigMap[];
  /** sluice.dev RoutePolicies and Consumers (our CRDs); absent when they are not installed. */
  routePolicies?: readonly RoutePolicy[];
  consumers?: readonly ConsumerResource[];
}

export interface TranslateOptions {
  /** --ingress-class (default "sluice"). */
  ingressClass: string;
  /** --controller-name: the spec.controller of our IngressClass. */
  controllerName: string;
  /** --watch-ingress-without-class: also serve Ingresses with no class at all. */
  watchIngressWithoutClass: boolean;
  /** --default-backend-service "namespace/name[:port]" for requests no rule matches. */
  defaultBackendService?: string;
  /** --configmap "namespace/name": ingress-nginx global settings. */
  configMap?: string;
  /** --tcp-services-configmap / --udp-services-configmap "namespace/name". */
  tcpServicesConfigMap?: string;
  udpServicesConfigMap?: string;
  /** The data plane's HTTPS port, where ssl-passthrough stream routes listen (default 9443). */
  httpsPort?: number;
}

/** A document the translator produced: its collection (`routes`, `upstreams`, ...) and body (with id and owner). */
export interface TranslatedDocument {
  collection: string;
  doc: { id: string; owner: { kind: string; namespace?: string; name?: string; uid?: string } } & Record<string, unknown>;
}

/** Something the user should know about one object (bad annotation, missing Service, conflict). */
export interface TranslateWarning {
  /** "Ingress/namespace/name" */
  object: string;
  message: string;
}

/** What an object's status should become (Ingress status.loadBalancer is filled by the status writer). */
export interface ObjectStatus {
  object: string;
  /** Served by us (class matched) and translated without fatal errors. */
  accepted: boolean;
  message?: string;
}

export interface TranslateResult {
  /** Sorted by collection then id, deterministic (golden files). */
  documents: TranslatedDocument[];
  warnings: TranslateWarning[];
  statuses: ObjectStatus[];
  /** Conditions of RoutePolicies and Consumers; present only when there are any. */
  policyStatuses?: PolicyStatus[];
}
