import { NGINX, defineAnnotation } from './annotation.js';

const NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/;

export const authSecret = defineAnnotation({
  key: `${NGINX}auth-secret`,
  validate: (v) => (NAME.test(v) ? undefined : `must be "name" or "namespace/name" of a Secret, got ${JSON.stringify(v)}`),
  scope: 'location',
  risk: 'medium',
  support: 'supported',
  doc: 'The Secret with the htpasswd credentials of auth-type basic ("name" in the Ingress\'s namespace, or "namespace/name").',
  apply: () => {},
});
