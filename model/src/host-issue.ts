import type { ValidationIssue } from './validation-issue.js';

const HOST_RE = /^(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;
const IP6_RE = /^\[[0-9a-f:.]+\]$/i;

/** A route or SNI host: a DNS name, optionally with a leading `*.` wildcard, or an IP literal. */
export function hostIssue(path: string, host: string): ValidationIssue[] {
  if (host === '*' || HOST_RE.test(host) || IP6_RE.test(host)) return [];
  return [{ path, message: `is not a valid host name or *.suffix wildcard: ${JSON.stringify(host)}` }];
}
