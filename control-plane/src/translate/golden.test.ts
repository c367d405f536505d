import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kindByCollection, validateDocument } from '@sluice/model';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { translate, type Resources, type TranslateOptions } from './index.js';

// Golden cases (STYLE.md §4): <case>.in.yaml (Kubernetes objects + an optional `options:`
// document) → <case>.out.yaml (documents, warnings, statuses). base.yaml is merged into every
// case (a case's object with the same kind/namespace/name replaces the base one).
// UPDATE_GOLDEN=1 rewrites the out files (npm run golden:update).
const dir = join(dirname(fileURLToPath(import.meta.url)), '../../test/golden/ingress');
const update = process.env.UPDATE_GOLDEN === '1';

const defaults: TranslateOptions = { ingressClass: 'sluice', controllerName: 'sluice.dev/ingress-controller', watchIngressWithoutClass: false };

type K8sObject = { kind?: string; metadata?: { namespace?: string; name?: string } } & Record<string, unknown>;

function load(file: string): { objects: K8sObject[]; options: Partial<TranslateOptions> } {
  const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Record<string, unknown> | null);
  const objects: K8sObject[] = [];
  let options: Partial<TranslateOptions> = {};
  for (const doc of docs) {
    if (!doc) continue;
    if (doc.options && !doc.kind) options = { ...options, ...(doc.options as Partial<TranslateOptions>) };
    else if (doc.kind === 'List') objects.push(...((doc.items as K8sObject[]) ?? []));
    else objects.push(doc as K8sObject);
  }
  return { objects, options };
}

const identity = (o: K8sObject) => `${o.kind}/${o.metadata?.namespace ?? 'default'}/${o.metadata?.name}`;

function resourcesOf(objects: K8sObject[]): Resources {
  const of = <T>(kind: string) => objects.filter((o) => o.kind === kind).map((o) => ({ ...o, metadata: { namespace: 'default', ...o.metadata } }) as T);
  return {
    ingresses: of('Ingress'),
    ingressClasses: objects.filter((o) => o.kind === 'IngressClass') as never[],
    services: of('Service'),
    endpointSlices: of('EndpointSlice'),
    endpoints: of('Endpoints'),
    secrets: of('Secret'),
    configMaps: of('ConfigMap'),
  };
}

const base = load(join(dir, 'base.yaml'));
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.in.yaml'))
  .map((f) => f.slice(0, -'.in.yaml'.length))
  .sort();

describe('Ingress golden cases', () => {
  it('has the cases', () => expect(cases.length).toBeGreaterThanOrEqual(50));

  for (const name of cases) {
    it(name, () => {
      const input = load(join(dir, `${name}.in.yaml`));
      const overridden = new Set(input.objects.map(identity));
      const objects = [...base.objects.filter((o) => !overridden.has(identity(o))), ...input.objects];
      const result = translate(resourcesOf(objects), { ...defaults, ...base.options, ...input.options });

      for (const { collection, doc } of result.documents) {
        expect(validateDocument(kindByCollection(collection)!, doc), `${collection}/${doc.id} (${String(doc.name)})`).toEqual([]);
      }
      const header = readFileSync(join(dir, `${name}.in.yaml`), 'utf8').match(/^(#.*\n)+/)?.[0];
      expect(header, `${name}.in.yaml needs a header comment saying what it proves`).toBeTruthy();

      const out = join(dir, `${name}.out.yaml`);
      const text = `# Generated from ${name}.in.yaml by UPDATE_GOLDEN=1; do not edit.\n${header}${stringify(result, { lineWidth: 0, aliasDuplicateObjects: false })}`;
      if (update) writeFileSync(out, text);
      expect(existsSync(out), `${name}.out.yaml is missing: run npm run golden:update`).toBe(true);
      expect(readFileSync(out, 'utf8')).toBe(text);
    });
  }

  it('is deterministic: the same input in another order gives the same result', () => {
    const input = load(join(dir, 'conflict-oldest-wins.in.yaml'));
    const objects = [...base.objects, ...input.objects];
    const a = translate(resourcesOf(objects), defaults);
    const b = translate(resourcesOf([...objects].reverse()), defaults);
    expect(b).toEqual(a);
  });
});
