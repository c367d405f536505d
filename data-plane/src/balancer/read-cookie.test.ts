import { describe, expect, it } from 'vitest';
import { readCookie } from './read-cookie.js';

describe('readCookie', () => {
  it('finds a cookie by exact name anywhere in the header', () => {
    expect(readCookie('a=1; sid=xyz; b=2', 'sid')).toBe('xyz');
    expect(readCookie('sid=first', 'sid')).toBe('first');
    expect(readCookie('xsid=no; sid=yes', 'sid')).toBe('yes');
    expect(readCookie('sidx=no', 'sid')).toBeUndefined();
    expect(readCookie('a=1;sid="quoted"', 'sid')).toBe('quoted');
    expect(readCookie(undefined, 'sid')).toBeUndefined();
    expect(readCookie('', 'sid')).toBeUndefined();
    expect(readCookie('garbage;;=;sid', 'sid')).toBeUndefined();
    expect(readCookie(['a=1', 'sid=arr'], 'sid')).toBe('arr');
  });
});
