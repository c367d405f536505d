import { resourceIndex } from '../resource-index.js';
import { NGINX, check, defineAnnotation } from './annotation.js';

export const serviceUpstream = defineAnnotation({
  key: `${NGINX}service-upstream`,
  validate: check.boolean,
  scope: 'ingress',
  risk: 'low',
  support: 'supported',
  doc: "The Service's ClusterIP and port become the single upstream node instead of its endpoints (kube-proxy balances). Headless Services keep their endpoints (with a warning), ExternalName Services their name.",
  apply: ({ value, route, resources, warn }) => {
    if (value !== 'true') return;
    const draft = route.upstream.draft;
    const m = /^service\/([^/]+)\/([^/]+)\/port\/(.*)$/.exec(draft.key);
    if (!m) return;
    const [, namespace, name, portLabel] = m as unknown as [string, string, string, string];
    const service = resourceIndex(resources).service(namespace, name);
    if (!service || service.spec?.type === 'ExternalName') return;
    const clusterIP = service.spec?.clusterIP;
    const port = (service.spec?.ports ?? []).find((p) => p.name === portLabel || String(p.port) === portLabel);
    if (!clusterIP || clusterIP === 'None' || !port) {
      warn(
        `${route.name}: annotation ${NGINX}service-upstream ignored: Service ${namespace}/${name} has no ClusterIP or no port ${portLabel}; its endpoints are used`,
      );
      return;
    }
    route.upstream = { ...route.upstream, draft: { ...draft, key: `${draft.key}/cluster-ip`, nodes: [{ host: clusterIP, port: port.port, weight: 1 }] } };
  },
});
