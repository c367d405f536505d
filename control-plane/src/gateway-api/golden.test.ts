import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kindByCollection, validateDocument } from '@sluice/model';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { translateGatewayApi, type GatewayTranslateOptions } from './index.js';
import { gatewayResourcesOf } from './load-objects.js';

// Golden cases (STYLE.md §4): <case>.in.yaml (Kubernetes objects + an optional `options:`
// document) → <case>.out.yaml (documents, warnings, statuses). base.yaml is merged into every
// case (a case's object with the same kind/namespace/name replaces the base one).
// UPDATE_GOLDEN=1 rewrites the out files.
const dir = join(dirname(fileURLToPath(import.meta.url)), '../../test/golden/gateway-api');
const update = process.env.UPDATE_GOLDEN === '1';
const defaults: GatewayTranslateOptions = { controllerName: 'sluice.dev/gateway-controller', gatewayAddressPool: '127.0.1.0/24' };

type K8sObject = { kind?: string; metadata?: { namespace?: string; name?: string } } & Record<string, unknown>;

function load(file: string): { objects: K8sObject[]; options: Partial<GatewayTranslateOptions> } {
  const objects: K8sObject[] = [];
  let options: Partial<GatewayTranslateOptions> = {};
  for (const d of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const doc = d.toJS() as Record<string, unknown> | null;
    if (!doc) continue;
    if (doc.options && !doc.kind) options = { ...options, ...(doc.options as Partial<GatewayTranslateOptions>) };
    else objects.push(doc as K8sObject);
  }
  return { objects, options };
}

const identity = (o: K8sObject) => `${o.kind}/${o.metadata?.namespace ?? 'default'}/${o.metadata?.name}`;
const base = load(join(dir, 'base.yaml'));
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.in.yaml'))
  .map((f) => f.slice(0, -'.in.yaml'.length))
  .sort();

function run(objects: K8sObject[], options: Partial<GatewayTranslateOptions>) {
  return translateGatewayApi(gatewayResourcesOf(objects), { ...defaults, ...base.options, ...options });
}

describe('Gateway API golden cases', () => {
  it('has the cases', () => expect(cases.length).toBeGreaterThanOrEqual(20));

  for (const name of cases) {
    it(name, () => {
      const input = load(join(dir, `${name}.in.yaml`));
      const overridden = new Set(input.objects.map(identity));
      const result = run([...base.objects.filter((o) => !overridden.has(identity(o))), ...input.objects], input.options);
      for (const { collection, doc } of result.documents) {
        expect(validateDocument(kindByCollection(collection)!, doc), `${collection}/${doc.id} (${String(doc.name)})`).toEqual([]);
      }
      const header = readFileSync(join(dir, `${name}.in.yaml`), 'utf8').match(/^(#.*\n)+/)?.[0];
      expect(header, `${name}.in.yaml needs a header comment saying what it proves`).toBeTruthy();
      const out = join(dir, `${name}.out.yaml`);
      const text = `# Generated from ${name}.in.yaml by UPDATE_GOLDEN=1; do not edit.\n${header}${stringify(result, { lineWidth: 0, aliasDuplicateObjects: false })}`;
      if (update) writeFileSync(out, text);
      expect(existsSync(out), `${name}.out.yaml is missing: run UPDATE_GOLDEN=1`).toBe(true);
      expect(readFileSync(out, 'utf8')).toBe(text);
    });
  }

  it('is deterministic: the same input in another order gives the same result', () => {
    const input = load(join(dir, 'precedence-order.in.yaml'));
    const objects = [...base.objects, ...input.objects];
    expect(run([...objects].reverse(), {})).toEqual(run(objects, {}));
  });
});
