import { kindByCollection, validateDocument, type GlobalRule } from '@sluice/model';
import { shortHash } from './short-hash.js';
import type { TranslatedDocument } from './types.js';

/**
 * A global rule made from the global ConfigMap's keys, owned by that ConfigMap
 * (`object` is "ConfigMap/namespace/name"), named `configmap/<ns>/<name>/<part>`. Returns
 * undefined, with `say` told which field is wrong and `hint` which keys to check, when the
 * plugins fail their schemas.
 */
export function configMapGlobalRule(
  object: string,
  part: string,
  plugins: Record<string, unknown>,
  say: (message: string) => void,
  hint: string,
): TranslatedDocument | undefined {
  const [, namespace, name] = object.split('/');
  const ruleName = `configmap/${namespace}/${name}/${part}`;
  const rule: GlobalRule = {
    id: shortHash(ruleName),
    name: ruleName,
    owner: { kind: 'ConfigMap', namespace: namespace!, name: name! },
    plugins,
  };
  const issues = validateDocument(kindByCollection('global-rules')!, rule);
  if (issues.length) {
    say(`${part} ignored: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')} (${hint})`);
    return undefined;
  }
  return { collection: 'global-rules', doc: rule as TranslatedDocument['doc'] };
}
