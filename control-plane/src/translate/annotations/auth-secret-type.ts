import { NGINX, defineAnnotation } from './annotation.js';

export const authSecretType = defineAnnotation({
  key: `${NGINX}auth-secret-type`,
  validate: (v) => (v === 'auth-file' || v === 'auth-map' ? undefined : `must be "auth-file" or "auth-map", got ${JSON.stringify(v)}`),
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: "auth-file (default): the Secret's `auth` key is an htpasswd file; auth-map: each key is a user and its value the hash.",
  apply: () => {},
});
