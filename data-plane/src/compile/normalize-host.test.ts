import { describe, expect, it } from 'vitest';
import { normalizeHost } from './normalize-host.js';

describe('normalizeHost', () => {
  it.each([
    ['Example.COM', 'example.com'],
    ['example.com:8080', 'example.com'],
    ['example.com.', 'example.com'],
    ['Example.com.:443', 'example.com'],
    ['[::1]:8080', '[::1]'],
    ['[::1]', '[::1]'],
    ['[FE80::1]:80', '[fe80::1]'],
    ['::1', '[::1]'],
    ['127.0.0.1:9080', '127.0.0.1'],
    ['localhost', 'localhost'],
  ])('%s → %s', (raw, expected) => {
    expect(normalizeHost(raw)).toBe(expected);
  });

  it('treats an absent or empty host as no host', () => {
    expect(normalizeHost(undefined)).toBeUndefined();
    expect(normalizeHost('')).toBeUndefined();
    expect(normalizeHost(':80')).toBeUndefined();
  });

  it('strips only one trailing dot', () => {
    expect(normalizeHost('a.com..')).toBe('a.com.');
  });
});
