import { describe, expect, it } from 'vitest';
import { resolveMaxBodySize } from './max-body-size.js';

const limit = (maxBodySize: number) => ({ 'client-control': { maxBodySize } });
const rule = (id: string, plugins: object) => ({ id, plugins });

describe('resolveMaxBodySize', () => {
  it('takes the route, then its plugin config, then the first global rule by id', () => {
    const globals = [rule('b', limit(300)), rule('a', limit(200))];
    expect(resolveMaxBodySize(limit(10), limit(20), globals)).toBe(10);
    expect(resolveMaxBodySize(undefined, limit(20), globals)).toBe(20);
    expect(resolveMaxBodySize({ cors: {} }, undefined, globals)).toBe(200);
    expect(resolveMaxBodySize(undefined, undefined, [])).toBeUndefined();
  });

  it('a client-control without maxBodySize does not hide a global default', () => {
    expect(resolveMaxBodySize({ 'client-control': {} }, undefined, [rule('g', limit(5))])).toBe(5);
  });
});
