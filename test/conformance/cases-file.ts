// The shape of ../shared/conformance/gateway-api/cases.json (its README is the contract):
// only the fields the runner reads are typed; the rest stays `unknown`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ObjectRef {
  kind: string;
  name: string;
  namespace?: string;
  apiVersion?: string;
}

export interface Condition {
  type: string;
  status: string | null;
  reason: string | null;
}

export interface TlsTrustRef {
  kind: 'Secret' | 'ConfigMap';
  namespace: string;
  name: string;
  key: string;
}

export interface CaseTarget {
  gateway: { namespace: string; name: string };
  listener: string | null;
  port: number;
  scheme: string;
}

export interface HttpRequestSpec {
  method: string;
  host: string | null;
  path: string;
  headers: Record<string, string>;
  protocol: 'HTTP' | 'HTTPS' | 'H2' | 'H2C_PRIOR_KNOWLEDGE';
  follow_redirects: boolean;
  tls?: { server_name: string; trust: TlsTrustRef; client_certificate: { namespace: string; name: string } | null };
  body?: string;
}

export interface BackendRequestExpect {
  method?: string;
  path?: string;
  host?: string | null;
  headers?: Record<string, string> | null;
  headers_absent?: string[];
  http_port?: string;
  tls_server_name?: string;
  tls_peer_certificate?: { namespace: string; name: string };
}

export interface HttpExpect {
  status?: number[];
  response_headers?: Record<string, string>;
  response_headers_one_of?: Record<string, string[]>;
  response_headers_absent?: string[];
  ignore_whitespace_in_header_values?: boolean;
  backend?: { namespace: string; pod_prefix: string };
  backend_request?: BackendRequestExpect;
  redirect?: { scheme: string | null; host: string | null; port: string | null; allowed_ports: string[]; path: string | null };
  mirrored_to?: { namespace: string; name: string; percent?: number }[];
  status_not?: number[];
  transport_error?: boolean;
  code?: string;
  code_not?: string;
  echoed_full_method?: string;
  backend_is_tls?: boolean;
  backend_tls_server_name?: string | null;
  every_pod_prefix?: string;
  never_pod_prefix?: string;
  every_backend?: string;
  service?: string;
  namespace?: string;
  [k: string]: unknown;
}

export interface Distribution {
  expected_weights?: Record<string, number>;
  total_requests: number;
  concurrency?: number;
  tolerance?: number;
  tolerance_std_devs?: number;
  max_attempts: number;
}

export interface ConformanceCase {
  id: string;
  name: string;
  group: string | null;
  step: number;
  kind: 'http' | 'grpc' | 'tcp' | 'udp' | 'dns' | 'tls_connection' | 'websocket';
  mode: string;
  target: CaseTarget;
  // Per kind: HttpRequestSpec, or the grpc/tcp/udp/dns/tls/websocket request of README §3.
  request: any;
  expect: HttpExpect;
  backend_set_response_headers?: Record<string, string>;
  path_template_vars?: Record<string, string>;
  distribution?: Distribution;
  request_id_query_param?: string;
  mirror_check?: unknown;
  samples?: number;
  request_entropy?: string;
}

export interface StatusExpectation {
  check: string;
  step: number;
  object?: ObjectRef;
  [k: string]: any;
}

export interface ConformanceAction {
  step: number;
  action: 'delete' | 'patch' | 'create' | 'sleep';
  object?: ObjectRef;
  json_patch?: { op: string; path: string; value?: unknown; from?: string }[];
  description?: string;
  manifest?: string;
  seconds?: number;
}

export interface ConformanceTest {
  name: string;
  description: string;
  features: string[];
  provisional: boolean;
  manifests: string[];
  cases: ConformanceCase[];
  status_expectations: StatusExpectation[];
  actions: ConformanceAction[];
  runtime_skip?: { implementation_supports_feature?: string; implementation_lacks_feature?: string; note: string };
  environment_requirements?: string[];
  note: string | null;
}

export interface FeatureInfo {
  channel: string;
  support_level: 'core' | 'extended';
  gateway_profiles: { profile: string; level: string }[];
}

export interface CasesFile {
  source: { commit: string; version: string; latest_release: string };
  suite_defaults: { timeouts_s: Record<string, number>; RequiredConsecutiveSuccesses: number };
  suite_setup: { programmatic_resources: { kind: string; namespace: string; name: string }[] };
  features: Record<string, FeatureInfo>;
  base_manifests: string;
  tests: ConformanceTest[];
  out_of_scope_tests: { name: string; reason: string }[];
}

const here = path.dirname(fileURLToPath(import.meta.url));
// Vendored copy (gateway-api/NOTICE.md); CONFORMANCE_CASES or SLUICE_CONFORMANCE_CASES point elsewhere.
export const defaultCasesPath = path.resolve(here, 'gateway-api/cases.json');

export function loadCasesFile(file = process.env.CONFORMANCE_CASES ?? process.env.SLUICE_CONFORMANCE_CASES ?? defaultCasesPath): CasesFile {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as CasesFile;
}

/** Cases, status expectations and actions of a test merged in `step` order (README §2 "Order"). */
export type TestStep =
  | { type: 'case'; step: number; item: ConformanceCase }
  | { type: 'status'; step: number; item: StatusExpectation }
  | { type: 'action'; step: number; item: ConformanceAction };

export function stepsOf(test: ConformanceTest): TestStep[] {
  const steps: TestStep[] = [
    ...test.cases.map((item) => ({ type: 'case' as const, step: item.step, item })),
    ...test.status_expectations.map((item) => ({ type: 'status' as const, step: item.step, item })),
    ...test.actions.map((item) => ({ type: 'action' as const, step: item.step, item })),
  ];
  return steps.sort((a, b) => a.step - b.step);
}
