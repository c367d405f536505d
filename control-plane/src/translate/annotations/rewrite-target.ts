import { NGINX, check, defineAnnotation } from './annotation.js';

/**
 * nginx `rewrite <path> <target> break`: when the location's regex matches, the whole URI
 * becomes the target, with $1.. from the path's capture groups. The path step already made the
 * route match a regex (rewrite-target implies use-regex in ingress-nginx).
 */
export const rewriteTarget = defineAnnotation({
  key: `${NGINX}rewrite-target`,
  validate: (v) => check.nonEmpty(v) ?? (v.startsWith('/') || v.startsWith('$') ? undefined : `must start with / or a capture group, got ${JSON.stringify(v)}`),
  scope: 'ingress',
  risk: 'medium',
  support: 'supported',
  doc: "`proxy-rewrite.regexUri` = [`^(?:<path>).*`, target]: the whole path is replaced, `$1`.. are the path's capture groups. Implies use-regex.",
  apply: ({ value, route }) => {
    const target = value.startsWith('/') ? value : `/${value}`;
    const pattern = route.match.paths?.[0]?.type === 'exact' ? `^${escapeRegex(route.path)}$` : `^(?:${route.path}).*`;
    route.plugins['proxy-rewrite'] = { ...(route.plugins['proxy-rewrite'] as object | undefined), regexUri: [pattern, target] };
  },
});

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
