import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import * as options from '../../bin/lib/options.mjs';
import type { K8sObject } from './rendered-manifests.js';

export const IMAGE = 'ghcr.io/sluice-gateway/sluice';

export const FLAGS: Record<string, [string, unknown, string]> = options.FLAGS;
/** Top-level keys of the config file that hold a subcommand's own settings. */
export const COMMAND_SECTIONS: string[] = (options as { COMMAND_SECTIONS?: string[] }).COMMAND_SECTIONS ?? [];

/** GATEWAY_* variables the code reads that are not flags (see `process.env.GATEWAY_LOG_LEVEL`). */
export const EXTRA_GATEWAY_ENV = ['GATEWAY_LOG_LEVEL'];

export const isGatewayContainer = (container: any) => String(container.image).split(':')[0] === IMAGE;

export const flagEnvName = (flag: string) => `GATEWAY_${flag.toUpperCase().replace(/-/g, '_')}`;

/** The value Kubernetes gives a literal or downward-API env var; undefined for Secret refs. */
function envValue(workload: K8sObject, env: any): string | undefined {
  if (env.value !== undefined) return String(env.value);
  if (env.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') return workload.metadata.namespace;
  return undefined;
}

/** `$(VAR)` expansion as the kubelet does it for args. */
function expand(arg: string, vars: Record<string, string | undefined>): string {
  return arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name) => vars[name] ?? whole);
}

/** The file a path in the container comes from: the ConfigMap or Secret key mounted there. */
export function mountedSource(objects: K8sObject[], pod: any, container: any, file: string) {
  const mount = (container.volumeMounts ?? []).find((m: any) => file === m.mountPath || file.startsWith(`${m.mountPath.replace(/\/$/, '')}/`));
  if (!mount) return undefined;
  const volume = (pod.volumes ?? []).find((v: any) => v.name === mount.name);
  const key = path.relative(mount.mountPath, file);
  if (volume?.configMap) {
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap.name);
    return { mount, volume, key, content: cm?.data?.[key] as string | undefined };
  }
  return { mount, volume, key, content: undefined };
}

/**
 * Parses a gateway container's args with the real flag parser of bin/gateway (strict: an
 * unknown flag throws), its --config file taken from the mounted ConfigMap. Returns the
 * subcommand, the effective options, and the config file's keys.
 */
export function gatewayOptions(objects: K8sObject[], workload: K8sObject, pod: any, container: any) {
  const vars = Object.fromEntries((container.env ?? []).map((e: any) => [e.name, envValue(workload, e)]));
  const args: string[] = (container.args ?? []).map((a: string) => expand(String(a), vars));
  const [command, ...flags] = args;
  const configFlag = flags.findIndex((a) => a === '--config' || a.startsWith('--config='));
  let configKeys: string[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-deploy-'));
  try {
    if (configFlag >= 0) {
      const configPath = flags[configFlag].includes('=') ? flags[configFlag].split('=')[1] : flags[configFlag + 1];
      const source = mountedSource(objects, pod, container, configPath);
      if (source?.content === undefined) throw new Error(`--config ${configPath} is not a key of a mounted ConfigMap`);
      const local = path.join(tmp, 'sluice.yaml');
      fs.writeFileSync(local, source.content);
      const doc = (YAML.parse(source.content) ?? {}) as Record<string, unknown>;
      configKeys = Object.entries(doc).flatMap(([key, value]) =>
        COMMAND_SECTIONS.includes(key) && value && typeof value === 'object' ? Object.keys(value) : [key],
      );
      if (flags[configFlag].includes('=')) flags[configFlag] = `--config=${local}`;
      else flags[configFlag + 1] = local;
    }
    // Secret-backed variables count as set; their value is only known in the cluster.
    const env = Object.fromEntries(
      (container.env ?? []).filter((e: any) => e.name.startsWith('GATEWAY_')).map((e: any) => [e.name, envValue(workload, e) ?? 'from-a-secret']),
    );
    const opts = options.parseOptions(flags, { command, env });
    return { command, args: flags, opts, configKeys };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
