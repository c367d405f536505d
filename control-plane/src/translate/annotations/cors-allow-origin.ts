import { NGINX, defineAnnotation } from './annotation.js';

export const corsAllowOrigin = defineAnnotation({
  key: `${NGINX}cors-allow-origin`,
  validate: (v) =>
    v.split(',').every((o) => o.trim() === '*' || /^https?:\/\/[^\s,]+$/.test(o.trim()))
      ? undefined
      : `must be * or comma-separated origins like https://app.example.com, got ${JSON.stringify(v)}`,
  scope: 'ingress',
  risk: 'low',
  support: 'supported',
  doc: 'Origins for enable-cors (default *), comma-separated; `*.` wildcards allowed.',
  apply: () => {},
});
