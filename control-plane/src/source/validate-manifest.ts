import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Endpoints } from 'kubernetes-models/v1/Endpoints';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { EndpointSlice } from 'kubernetes-models/discovery.k8s.io/v1/EndpointSlice';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { IngressClass } from 'kubernetes-models/networking.k8s.io/v1/IngressClass';

type Obj = Record<string, any>;

/** A model class of kubernetes-models: validate() throws an Ajv-style error list. */
type Model = new (data: any) => { validate(): void };

/** The built-in kinds Sluice reads, with the one apiVersion a current API server serves and its schema. */
const BUILT_IN: Record<string, { apiVersion: string; model: Model }> = {
  Ingress: { apiVersion: 'networking.k8s.io/v1', model: Ingress },
  IngressClass: { apiVersion: 'networking.k8s.io/v1', model: IngressClass },
  Service: { apiVersion: 'v1', model: Service },
  Endpoints: { apiVersion: 'v1', model: Endpoints },
  EndpointSlice: { apiVersion: 'discovery.k8s.io/v1', model: EndpointSlice },
  Secret: { apiVersion: 'v1', model: Secret },
  ConfigMap: { apiVersion: 'v1', model: ConfigMap },
  Namespace: { apiVersion: 'v1', model: Namespace },
};

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * What a real API server would refuse in this object, as `field: message` lines (empty = it
 * would accept it), so `--manifests` does not serve what `kubectl apply` would reject: the
 * Kubernetes OpenAPI schema of the built-in kinds (kubernetes-models), then the API server's own
 * rules the schema cannot say (object names, an Ingress rule's host and backend, a Service's
 * ports, a TLS Secret's keys). Gateway API kinds and Sluice's CRDs get the name rules here;
 * their translators check the rest.
 */
export function validateManifest(obj: Obj): string[] {
  const issues: string[] = [];
  const kind = String(obj.kind);
  const builtIn = BUILT_IN[kind];
  if (builtIn && obj.apiVersion !== builtIn.apiVersion) {
    return [`apiVersion: ${JSON.stringify(obj.apiVersion)} is not served for ${kind}; write ${builtIn.apiVersion}`];
  }
  issues.push(...nameIssues(kind, obj.metadata ?? {}));
  if (builtIn) {
    try {
      new builtIn.model(obj).validate();
    } catch (err) {
      const errors = (err as { errors?: AjvError[] }).errors;
      if (!errors) throw err;
      issues.push(...errors.map(describe));
    }
  }
  if (kind === 'Ingress') issues.push(...ingressIssues(obj.spec ?? {}));
  if (kind === 'Service') issues.push(...serviceIssues(obj.spec ?? {}));
  if (kind === 'Secret' || kind === 'ConfigMap') issues.push(...dataKeyIssues(obj));
  if (kind === 'Secret' && obj.type === 'kubernetes.io/tls') issues.push(...tlsSecretIssues(obj));
  return [...new Set(issues)];
}

function nameIssues(kind: string, metadata: Obj): string[] {
  const issues: string[] = [];
  const name = metadata.name;
  if (typeof name !== 'string' || name === '') return ['metadata.name: Required value'];
  if (kind === 'Service' && !(DNS1035_LABEL.test(name) && name.length <= 63)) {
    issues.push(
      `metadata.name: Invalid value ${JSON.stringify(name)}: a Service name must be an RFC 1035 label (lower-case letters, digits and '-', starting with a letter, at most 63 characters)`,
    );
  } else if (kind === 'Namespace' && !(DNS1123_LABEL.test(name) && name.length <= 63)) {
    issues.push(
      `metadata.name: Invalid value ${JSON.stringify(name)}: a Namespace name must be an RFC 1123 label (lower-case letters, digits and '-', at most 63 characters)`,
    );
  } else if (!(DNS1123_SUBDOMAIN.test(name) && name.length <= 253)) {
    issues.push(
      `metadata.name: Invalid value ${JSON.stringify(name)}: must be an RFC 1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters)`,
    );
  }
  const ns = metadata.namespace;
  if (ns !== undefined && !(typeof ns === 'string' && DNS1123_LABEL.test(ns) && ns.length <= 63)) {
    issues.push(`metadata.namespace: Invalid value ${JSON.stringify(ns)}: must be an RFC 1123 label`);
  }
  return issues;
}

/** networking/validation: ValidateIngressSpec (rules or a default backend; hosts; backends). */
function ingressIssues(spec: Obj): string[] {
  const issues: string[] = [];
  if (!spec.defaultBackend && !(Array.isArray(spec.rules) && spec.rules.length)) issues.push('spec: either `defaultBackend` or `rules` must be specified');
  if (spec.defaultBackend) issues.push(...backendIssues(spec.defaultBackend, 'spec.defaultBackend'));
  (Array.isArray(spec.rules) ? spec.rules : []).forEach((rule: Obj, i: number) => {
    const host = rule?.host;
    if (typeof host === 'string' && host !== '') {
      const bare = host.startsWith('*.') ? host.slice(2) : host;
      if (!DNS1123_SUBDOMAIN.test(bare) || /^\d+(\.\d+){3}$/.test(host))
        issues.push(
          `spec.rules[${i}].host: Invalid value ${JSON.stringify(host)}: must be a DNS name (a wildcard only as the first label, *.example.com), not an IP`,
        );
    }
    (rule?.http?.paths ?? []).forEach((p: Obj, j: number) => {
      const where = `spec.rules[${i}].http.paths[${j}]`;
      if (p?.path !== undefined && !String(p.path).startsWith('/'))
        issues.push(`${where}.path: Invalid value ${JSON.stringify(p.path)}: must be an absolute path`);
      if (p?.backend) issues.push(...backendIssues(p.backend, `${where}.backend`));
    });
  });
  return issues;
}

function backendIssues(backend: Obj, where: string): string[] {
  if (backend.service && backend.resource) return [`${where}: cannot set both service and resource`];
  const service = backend.service;
  if (!service) return [];
  const issues: string[] = [];
  if (typeof service.name === 'string' && !DNS1035_LABEL.test(service.name)) {
    issues.push(
      `${where}.service.name: Invalid value ${JSON.stringify(service.name)}: a Service name must be an RFC 1035 label (lower-case letters, digits and '-', starting with a letter)`,
    );
  }
  const port = service.port ?? {};
  if ((port.name === undefined) === (port.number === undefined)) issues.push(`${where}.service.port: exactly one of name or number must be set`);
  return issues;
}

/** core/validation: ValidateService (ports, port names, ExternalName). */
function serviceIssues(spec: Obj): string[] {
  const issues: string[] = [];
  const ports: Obj[] = Array.isArray(spec.ports) ? spec.ports : [];
  const headless = spec.clusterIP === 'None';
  if (spec.type === 'ExternalName') {
    if (typeof spec.externalName !== 'string' || !DNS1123_SUBDOMAIN.test(spec.externalName.replace(/\.$/, ''))) {
      issues.push(`spec.externalName: Invalid value ${JSON.stringify(spec.externalName)}: must be a DNS name`);
    }
  } else if (ports.length === 0 && !headless) issues.push('spec.ports: Required value');
  ports.forEach((p, i) => {
    if (ports.length > 1 && !p?.name) issues.push(`spec.ports[${i}].name: Required value (a Service with several ports names each)`);
    if (p?.name !== undefined && !(DNS1123_LABEL.test(String(p.name)) && String(p.name).length <= 63))
      issues.push(`spec.ports[${i}].name: Invalid value ${JSON.stringify(p.name)}: must be an RFC 1123 label`);
    if (typeof p?.port === 'number' && (p.port < 1 || p.port > 65_535))
      issues.push(`spec.ports[${i}].port: Invalid value ${p.port}: must be between 1 and 65535`);
  });
  return issues;
}

function dataKeyIssues(obj: Obj): string[] {
  return ['data', 'stringData', 'binaryData'].flatMap((field) =>
    Object.keys(obj[field] ?? {})
      .filter((key) => !DATA_KEY.test(key))
      .map((key) => `${field}[${key}]: Invalid value: a key must consist of alphanumeric characters, '-', '_' or '.'`),
  );
}

function tlsSecretIssues(obj: Obj): string[] {
  const has = (key: string) => obj.data?.[key] !== undefined || obj.stringData?.[key] !== undefined;
  return ['tls.crt', 'tls.key'].filter((k) => !has(k)).map((k) => `data[${k}]: Required value (a kubernetes.io/tls Secret holds tls.crt and tls.key)`);
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Fields whose keys are names the user chose (data keys, labels): shown in brackets. */
const MAP_FIELDS = new Set(['data', 'stringData', 'binaryData', 'annotations', 'labels', 'selector']);

/** An Ajv error as the API server names fields: `spec.rules[0].http.paths[0].pathType: Required value`. */
function describe(e: AjvError): string {
  const segments = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (e.keyword === 'required') segments.push(String(e.params.missingProperty));
  let path = '';
  let previous = '';
  for (const s of segments) {
    if (/^\d+$/.test(s) || MAP_FIELDS.has(previous)) path += `[${s}]`;
    else path += path ? `.${s}` : s;
    previous = s;
  }
  const what =
    e.keyword === 'required'
      ? 'Required value'
      : e.keyword === 'format' && e.params.format === 'byte'
        ? 'Invalid value: must be base64 (use stringData for plain text)'
        : `Invalid value: ${e.message ?? e.keyword}`;
  return `${path || '(object)'}: ${what}`;
}
