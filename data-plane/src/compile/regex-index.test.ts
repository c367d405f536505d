import { describe, expect, it } from 'vitest';
import { literalStart } from './regex-index.js';

describe('literalStart', () => {
  it.each([
    ['/users/[0-9]+', '/users/'],
    ['/users/\\d+', '/users/'],
    ['/api/v1/.*', '/api/v1/'],
    ['/abc?', '/ab'],
    ['/abc*', '/ab'],
    ['/abc{2}', '/ab'],
    ['/abc+', '/abc'],
    ['/a|/b', ''],
    ['(/a)/b', ''],
    ['^/x', ''],
    ['.*', ''],
    ['/plain', '/plain'],
  ])('%s → %s', (source, literal) => {
    expect(literalStart(source)).toBe(literal);
  });
});
