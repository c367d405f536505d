import type { ValueMatch } from '@sluice/model';

/** How a header or query condition tests a value; a number so the hot loop switches on a small int. */
export const ValueTest = { Exact: 0, Regex: 1, Present: 2, Absent: 3 } as const;
export type ValueTest = (typeof ValueTest)[keyof typeof ValueTest];

/** A header or query condition compiled once: lower-cased header name, anchored regex. */
export interface ValuePredicate {
  readonly name: string;
  readonly test: ValueTest;
  readonly value: string;
  readonly regex: RegExp | null;
}

/** Thrown at compile time for a condition that cannot be compiled; the route is rejected alone. */
export class InvalidMatchError extends Error {}

/** Anchors a user pattern so it must match the whole subject, as paths, headers and query values do. */
export function compileWholeRegex(source: string, where: string): RegExp {
  try {
    return new RegExp(`^(?:${source})$`);
  } catch (err) {
    throw new InvalidMatchError(`${where}: invalid regular expression ${JSON.stringify(source)}: ${(err as Error).message}`);
  }
}

/**
 * Compiles one condition. Header names are case-insensitive (Node lower-cases them),
 * query names are not, hence `lowerCaseName`.
 */
export function compileValuePredicate(match: ValueMatch, lowerCaseName: boolean, where: string): ValuePredicate {
  const name = lowerCaseName ? match.name.toLowerCase() : match.name;
  switch (match.type ?? 'exact') {
    case 'present':
      return { name, test: ValueTest.Present, value: '', regex: null };
    case 'absent':
      return { name, test: ValueTest.Absent, value: '', regex: null };
    case 'regex':
      if (match.value === undefined) throw new InvalidMatchError(`${where}: type regex needs a value`);
      return { name, test: ValueTest.Regex, value: match.value, regex: compileWholeRegex(match.value, where) };
    case 'exact':
      if (match.value === undefined) throw new InvalidMatchError(`${where}: type exact needs a value`);
      return { name, test: ValueTest.Exact, value: match.value, regex: null };
    default:
      throw new InvalidMatchError(`${where}: unknown match type ${JSON.stringify(match.type)}`);
  }
}

/** Tests one compiled condition against a value (undefined = the header or parameter is missing). */
export function valuePasses(predicate: ValuePredicate, value: string | undefined): boolean {
  switch (predicate.test) {
    case ValueTest.Exact:
      return value === predicate.value;
    case ValueTest.Regex:
      return value !== undefined && predicate.regex!.test(value);
    case ValueTest.Present:
      return value !== undefined;
    default:
      return value === undefined;
  }
}
