import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kindByCollection, validateDocument } from '@sluice/model';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { resourcesFromObjects } from '../source/resources-from-objects.js';
import { translate, type TranslateOptions } from '../translate/index.js';

// Golden cases for RoutePolicies and Consumers through the whole translator: <case>.in.yaml +
// base.yaml → <case>.out.yaml holding the routes' plugins, the consumer documents and the CRs'
// conditions. UPDATE_GOLDEN=1 rewrites the out files.
const dir = join(dirname(fileURLToPath(import.meta.url)), '../../test/golden/policy');
const update = process.env.UPDATE_GOLDEN === '1';
const options: TranslateOptions = { ingressClass: 'sluice', controllerName: 'sluice.dev/gateway-controller', watchIngressWithoutClass: false };

const load = (file: string) =>
  parseAllDocuments(readFileSync(join(dir, file), 'utf8'))
    .map((d) => d.toJS() as unknown)
    .filter(Boolean);
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.in.yaml'))
  .map((f) => f.slice(0, -'.in.yaml'.length))
  .sort();

describe('RoutePolicy and Consumer golden cases', () => {
  it('has the cases', () => expect(cases.length).toBeGreaterThanOrEqual(4));

  for (const name of cases) {
    it(name, () => {
      const result = translate(resourcesFromObjects([...load('base.yaml'), ...load(`${name}.in.yaml`)]), options);
      for (const { collection, doc } of result.documents) expect(validateDocument(kindByCollection(collection)!, doc), `${collection}/${doc.id}`).toEqual([]);
      const view = {
        routes: result.documents.filter((d) => d.collection === 'routes').map((d) => ({ name: d.doc.name, plugins: d.doc.plugins ?? {} })),
        consumers: result.documents.filter((d) => d.collection === 'consumers').map((d) => d.doc),
        policyStatuses: result.policyStatuses ?? [],
      };
      const header = readFileSync(join(dir, `${name}.in.yaml`), 'utf8').match(/^(#.*\n)+/)?.[0] ?? '';
      const text = `# Generated from ${name}.in.yaml by UPDATE_GOLDEN=1; do not edit.\n${header}${stringify(view, { lineWidth: 0, aliasDuplicateObjects: false })}`;
      const out = join(dir, `${name}.out.yaml`);
      if (update) writeFileSync(out, text);
      expect(existsSync(out), `${name}.out.yaml is missing: run with UPDATE_GOLDEN=1`).toBe(true);
      expect(readFileSync(out, 'utf8')).toBe(text);
    });
  }

  it('is deterministic: the same objects in another order give the same result', () => {
    const objects = [...load('base.yaml'), ...load('conflict-older-wins.in.yaml')];
    expect(translate(resourcesFromObjects([...objects].reverse()), options)).toEqual(translate(resourcesFromObjects(objects), options));
  });

  it('leaves the Ingress translation alone when there are no policies', () => {
    const result = translate(resourcesFromObjects(load('base.yaml')), options);
    expect(result.policyStatuses).toBeUndefined();
    expect(result.documents.find((d) => d.doc.name === 'ingress/default/shop/rule/0/path/0')?.doc.plugins).toEqual({ 'limit-req': expect.any(Object) });
  });
});
