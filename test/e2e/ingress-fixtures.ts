// Kubernetes objects for the Ingress e2e tests: one IngressClass, one Ingress → Service → EndpointSlice.
export const ingressClass = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'IngressClass',
  metadata: { name: 'sluice' },
  spec: { controller: 'sluice.dev/gateway-controller' },
};

export const shopIngress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'shop', namespace: 'default' },
  spec: {
    ingressClassName: 'sluice',
    rules: [{ http: { paths: [{ path: '/shop', pathType: 'Prefix', backend: { service: { name: 'shop', port: { name: 'http' } } } }] } }],
  },
};

export const shopService = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'shop', namespace: 'default' },
  spec: { selector: { app: 'shop' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
};

/** The Service's endpoints: every listed port of 127.0.0.1, ready. */
export function shopSlice(port: number) {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'shop-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'shop' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    ports: [{ name: 'http', port, protocol: 'TCP' }],
  };
}
