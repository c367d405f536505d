import { describe, expect, it } from 'vitest';
import { connectionTokens } from './hop-by-hop.js';
import { forwardableResponseHeaders } from './response-headers.js';

describe('forwardableResponseHeaders', () => {
  it('drops hop-by-hop headers in any case and keeps repeated end-to-end ones in order', () => {
    const raw = [
      'Content-Type',
      'text/plain',
      'CONNECTION',
      'keep-alive',
      'Keep-Alive',
      'timeout=5',
      'Transfer-Encoding',
      'chunked',
      'Set-Cookie',
      'a=1',
      'Set-Cookie',
      'b=2',
      'Upgrade',
      'h2c',
    ];
    expect(forwardableResponseHeaders(raw)).toEqual(['Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']);
  });

  it('drops headers that Connection names', () => {
    const raw = ['Connection', 'close, X-Secret', 'x-secret', '1', 'X-Public', '2'];
    expect(forwardableResponseHeaders(raw)).toEqual(['X-Public', '2']);
  });
});

describe('connectionTokens', () => {
  it('is undefined for the usual values and lists the others in lower case', () => {
    expect(connectionTokens(undefined)).toBeUndefined();
    expect(connectionTokens('keep-alive')).toBeUndefined();
    expect(connectionTokens('Upgrade')).toBeUndefined();
    expect(connectionTokens('keep-alive, X-A ,x-b')).toEqual(['x-a', 'x-b']);
  });
});
