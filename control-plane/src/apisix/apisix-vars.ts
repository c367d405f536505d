import type { ValueMatch } from '@sluice/model';
import { fieldPath, type IssueList } from './apisix-issue.js';

/** The conditions APISIX `vars` can carry that Sluice matches on. */
export interface VarMatches {
  headers: ValueMatch[];
  query: ValueMatch[];
  cookies: ValueMatch[];
  /** `["uri", "~~", re]`: a regex on the path. */
  uriRegex?: string;
}

/** The variables and operators of lua-resty-expr that have a Sluice equivalent, for the docs. */
export const SUPPORTED_VARS = '`http_<header>`, `arg_<name>`, `cookie_<name>` (traffic-split only) and `uri`, with `==` (exact) and `~~` (regex search)';

/**
 * APISIX `vars` (lua-resty-expr, `[[var, op, value], ...]`, all must hold) → header, query and
 * cookie conditions. `http_x_api_version` is the header `x-api-version` (nginx's variable
 * naming); `~~` searches, so it becomes a whole-value regex with `.*` around it, which decodes
 * back. Other variables, operators, negation (`!`) and nested expressions are issues.
 */
export function varsToMatches(vars: unknown, at: string, issues: IssueList): VarMatches {
  const out: VarMatches = { headers: [], query: [], cookies: [] };
  if (!Array.isArray(vars)) {
    issues.add(at, 'must be a list of [variable, operator, value]');
    return out;
  }
  vars.forEach((entry, i) => {
    const where = fieldPath(at, i);
    if (!Array.isArray(entry) || entry.length !== 3 || typeof entry[0] !== 'string' || typeof entry[1] !== 'string' || typeof entry[2] !== 'string') {
      issues.add(where, `is not supported: Sluice takes [variable, "==" or "~~", string]; ${SUPPORTED_VARS}`);
      return;
    }
    const [name, op, value] = entry as [string, string, string];
    if (op !== '==' && op !== '~~') {
      issues.add(where, `operator ${JSON.stringify(op)} is not supported: use "==" or "~~"`);
      return;
    }
    const match: Omit<ValueMatch, 'name'> = op === '==' ? { type: 'exact', value } : { type: 'regex', value: `.*(?:${value}).*` };
    if (name === 'uri' && op === '~~') out.uriRegex = value;
    else if (name.startsWith('http_')) out.headers.push({ name: name.slice(5).replace(/_/g, '-'), ...match });
    else if (name.startsWith('arg_')) out.query.push({ name: name.slice(4), ...match });
    else if (name.startsWith('cookie_')) out.cookies.push({ name: name.slice(7), ...match });
    else issues.add(where, `variable ${JSON.stringify(name)} is not supported: ${SUPPORTED_VARS}`);
  });
  return out;
}

/** The other way; a condition `vars` cannot say (present/absent, a whole-value regex) is left out and reported. */
export function matchesToVars(matches: Partial<VarMatches>, unsaid: (what: string) => void): string[][] {
  const vars: string[][] = [];
  const add = (prefix: string, list: ValueMatch[] | undefined, rename: (n: string) => string) => {
    for (const m of list ?? []) {
      const type = m.type ?? 'exact';
      const search = type === 'regex' ? /^\.\*\(\?:(.*)\)\.\*$/s.exec(m.value ?? '') : null;
      if (type === 'exact') vars.push([`${prefix}${rename(m.name)}`, '==', m.value ?? '']);
      else if (type === 'regex') vars.push([`${prefix}${rename(m.name)}`, '~~', search ? search[1]! : `^(?:${m.value})$`]);
      else unsaid(`${prefix}${rename(m.name)} ${type}`);
    }
  };
  add('http_', matches.headers, (n) => n.toLowerCase().replace(/-/g, '_'));
  add('arg_', matches.query, (n) => n);
  add('cookie_', matches.cookies, (n) => n);
  if (matches.uriRegex !== undefined) vars.push(['uri', '~~', matches.uriRegex]);
  return vars;
}
