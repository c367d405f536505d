import { describe, expect, it } from 'vitest';
import { GatewayError } from '@sluice/model';
import { ifMatchHolds, parseIfMatch } from './if-match.js';

describe('parseIfMatch', () => {
  it('accepts quoted, bare, weak and listed revisions', () => {
    expect(parseIfMatch('"12"')).toMatchObject({ any: false, revisions: [12] });
    expect(parseIfMatch('12')).toMatchObject({ any: false, revisions: [12] });
    expect(parseIfMatch('W/"7", "9"')).toMatchObject({ any: false, revisions: [7, 9] });
    expect(parseIfMatch('*')).toMatchObject({ any: true });
    expect(parseIfMatch(undefined)).toBeUndefined();
  });

  it('rejects a header that is not a revision', () => {
    expect(() => parseIfMatch('"abc"')).toThrow(GatewayError);
  });

  it('holds only for a listed revision of an existing document', () => {
    expect(ifMatchHolds(parseIfMatch('"5"')!, 5)).toBe(true);
    expect(ifMatchHolds(parseIfMatch('"5"')!, 6)).toBe(false);
    expect(ifMatchHolds(parseIfMatch('*')!, 6)).toBe(true);
    expect(ifMatchHolds(parseIfMatch('*')!, undefined)).toBe(false);
  });
});
