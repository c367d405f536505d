import { describe, expect, it } from 'vitest';
import { ServerNameMap } from './server-name-map.js';

describe('ServerNameMap', () => {
  it('prefers exact names, then the longest wildcard suffix, then the default', () => {
    const m = new ServerNameMap<string>();
    m.add('api.example.com', 'exact');
    m.add('*.example.com', 'wild');
    m.add('*.b.example.com', 'deeper');
    expect(m.lookup('API.example.com')).toBe('exact');
    expect(m.lookup('x.example.com')).toBe('wild');
    expect(m.lookup('x.b.example.com')).toBe('deeper');
    expect(m.lookup('a.c.example.com')).toBe('wild');
    expect(m.lookup('example.com')).toBeUndefined();
    m.setDefault('default');
    expect(m.lookup('other.org')).toBe('default');
    expect(m.lookup(undefined)).toBe('default');
  });

  it('keeps the first holder of a name', () => {
    const m = new ServerNameMap<string>();
    expect(m.add('a.com', 'first')).toBe(true);
    expect(m.add('A.com', 'second')).toBe(false);
    expect(m.add('*', 'd1')).toBe(true);
    expect(m.add('*', 'd2')).toBe(false);
    expect(m.lookup('a.com')).toBe('first');
    expect(m.size).toBe(2);
  });
});
