import { describe, expect, it } from 'vitest';
import { mergePatchOf } from './merge-patch-of';

describe('mergePatchOf', () => {
  it('sends only changes, nulls removed fields, and leaves fields never loaded alone', () => {
    const before = { id: 'c', snis: ['a'], cert: 'X', keyStored: true, labels: { a: '1', b: '2' } };
    const after = { id: 'c', snis: ['a', 'b'], cert: 'X', keyStored: true, labels: { a: '1' }, key: 'NEW' };
    expect(mergePatchOf(before, after)).toEqual({ snis: ['a', 'b'], labels: { b: null }, key: 'NEW' });
    expect(mergePatchOf(before, before)).toEqual({});
  });
});
