// Turns a test's verbatim YAML into API objects with the suite's placeholders substituted (README §6).
import YAML from 'yaml';
import type { KubeObject } from '../helpers/kube-api-server.js';

export interface PlaceholderValues {
  gatewayClassName: string;
  controllerName: string;
  /** Values for PLACEHOLDER_USABLE_ADDRS / PLACEHOLDER_UNUSABLE_ADDRS (GatewayStaticAddresses). */
  usableAddress: string;
  unusableAddress: string;
}

/** Parses every document of `yaml` (empty ones dropped) and substitutes the placeholders. */
export function manifestObjects(yaml: string, values: PlaceholderValues): KubeObject[] {
  return YAML.parseAllDocuments(yaml)
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => !!o && typeof o === 'object' && typeof o.kind === 'string')
    .map((o) => substitutePlaceholders(o, values));
}

export function substitutePlaceholders(obj: KubeObject, values: PlaceholderValues): KubeObject {
  const out = structuredClone(obj);
  const spec = out.spec as Record<string, any> | undefined;
  if (out.kind === 'Gateway' && spec) {
    // The suite overwrites every Gateway's class with the one under test, whatever it says.
    spec.gatewayClassName = values.gatewayClassName;
    if (Array.isArray(spec.addresses)) {
      spec.addresses = spec.addresses.map((a: { type?: string; value: string }) =>
        a.value === 'PLACEHOLDER_USABLE_ADDRS'
          ? { type: 'IPAddress', value: values.usableAddress }
          : a.value === 'PLACEHOLDER_UNUSABLE_ADDRS'
            ? { type: 'IPAddress', value: values.unusableAddress }
            : a,
      );
    }
  }
  if (out.kind === 'GatewayClass' && spec) spec.controllerName = values.controllerName;
  return out;
}

/** `$CONTROLLER_NAME` in expectations is the controller name of the class under test. */
export function expectedControllerName(value: string, values: PlaceholderValues): string {
  return value === '$CONTROLLER_NAME' ? values.controllerName : value;
}
