import type { V1Ingress, V1IngressClass } from '@kubernetes/client-node';
import type { TranslateOptions } from './types.js';

const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

/**
 * The Ingresses this controller serves (Kubernetes Ingress v1 class rules):
 * - `spec.ingressClassName` names an IngressClass whose `spec.controller` is ours; a class
 *   named `options.ingressClass` with no IngressClass object also counts (manifest folders
 *   often omit the IngressClass);
 * - else the legacy `kubernetes.io/ingress.class` annotation equals `options.ingressClass`;
 * - else (no class at all) with `watchIngressWithoutClass`, or when the IngressClass marked
 *   default is ours (the API server would have defaulted the class to it).
 */
export function selectIngresses(ingresses: readonly V1Ingress[], classes: readonly V1IngressClass[], options: TranslateOptions): V1Ingress[] {
  const ourClasses = new Set(classes.filter((c) => c.spec?.controller === options.controllerName).map((c) => c.metadata?.name ?? ''));
  const knownClasses = new Set(classes.map((c) => c.metadata?.name ?? ''));
  const defaultIsOurs = classes.some((c) => c.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true' && c.spec?.controller === options.controllerName);
  const isOurs = (ing: V1Ingress): boolean => {
    const className = ing.spec?.ingressClassName;
    if (className) return ourClasses.has(className) || (!knownClasses.has(className) && className === options.ingressClass);
    const legacy = ing.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION];
    if (legacy) return legacy === options.ingressClass;
    return options.watchIngressWithoutClass || defaultIsOurs;
  };
  return ingresses.filter(isOurs);
}
