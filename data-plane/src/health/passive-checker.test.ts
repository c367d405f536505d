import { describe, expect, it } from 'vitest';
import { createPassiveChecker } from './passive-checker.js';

describe('createPassiveChecker', () => {
  it('ejects after N consecutive failures and reports each transition once', () => {
    let t = 0;
    const changes: string[] = [];
    const checker = createPassiveChecker({ failures: 2, ejectSeconds: 1 }, { now: () => t, onChange: (k, h) => changes.push(`${k}=${h}`) });
    checker.record('a', { error: 'timeout', latencyMs: 1 });
    expect(checker.isEjected('a')).toBe(false);
    checker.record('a', { status: 504, latencyMs: 1 });
    expect(checker.isEjected('a')).toBe(true);
    expect(checker.ejectedCount()).toBe(1);
    checker.record('a', { status: 500, latencyMs: 1 }); // late result of an earlier attempt
    t = 1_000;
    expect(checker.peekEjected('a')).toBe(false);
    expect(checker.ejectedCount()).toBe(1); // not noticed yet
    expect(checker.isEjected('a')).toBe(false);
    expect(checker.ejectedCount()).toBe(0);
    expect(changes).toEqual(['a=false', 'a=true']);
  });

  it('without config, only connect errors count, and one is enough for 2 s', () => {
    let t = 0;
    const checker = createPassiveChecker(undefined, { now: () => t, onChange: () => {} });
    checker.record('a', { status: 503, latencyMs: 1 });
    checker.record('a', { error: 'timeout', latencyMs: 1 });
    checker.record('a', { error: 'reset', latencyMs: 1 });
    expect(checker.isEjected('a')).toBe(false);
    checker.record('a', { error: 'connect', latencyMs: 1 });
    expect(checker.isEjected('a')).toBe(true);
    t = 1_999;
    expect(checker.isEjected('a')).toBe(true);
    t = 2_000;
    expect(checker.isEjected('a')).toBe(false);
  });

  it('does not track nodes that only ever succeed', () => {
    const checker = createPassiveChecker({}, { now: () => 0, onChange: () => {} });
    for (let i = 0; i < 100; i++) checker.record(`n${i}`, { status: 200, latencyMs: 1 });
    expect(checker.ejectedCount()).toBe(0);
    expect(checker.isEjected('n1')).toBe(false);
  });
});
