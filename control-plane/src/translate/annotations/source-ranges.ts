import { pluginIssues } from '@sluice/model';
import { splitList } from './annotation.js';

/** A comma-separated CIDR list, checked by the ip-restriction plugin's own rules. */
export function validateCidrList(v: string): string | undefined {
  const list = splitList(v);
  if (list.length === 0) return 'must list at least one IP or CIDR';
  const issues = pluginIssues({ plugins: { 'ip-restriction': { whitelist: list } } }, 'route');
  return issues.length ? `is not a list of IPs or CIDRs: ${issues.map((i) => i.message).join('; ')}` : undefined;
}
