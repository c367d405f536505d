import { describe, expect, it } from 'vitest';
import { parseLabelFilters } from './parse-label-filters.js';

describe('parseLabelFilters', () => {
  it('reads repeated and comma-separated filters, with or without a value', () => {
    expect(parseLabelFilters(['team:shop, tier', 'env:prod'], ':')).toEqual([{ key: 'team', value: 'shop' }, { key: 'tier' }, { key: 'env', value: 'prod' }]);
  });

  it('splits at the first separator only, so values may hold it', () => {
    expect(parseLabelFilters('team=a=b', '=')).toEqual([{ key: 'team', value: 'a=b' }]);
    expect(parseLabelFilters('url:http://x', ':')).toEqual([{ key: 'url', value: 'http://x' }]);
  });

  it('keeps the other separator as part of the key or value', () => {
    expect(parseLabelFilters('team=a', ':')).toEqual([{ key: 'team=a' }]);
  });

  it('ignores missing and blank parameters', () => {
    expect(parseLabelFilters(undefined, '=')).toEqual([]);
    expect(parseLabelFilters(['', ' , '], '=')).toEqual([]);
  });
});
