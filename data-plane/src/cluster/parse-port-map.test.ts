import { describe, expect, it } from 'vitest';
import { parsePortMap } from './parse-port-map.js';

describe('parsePortMap', () => {
  it('maps declared ports to bound ports', () => {
    expect(parsePortMap('80:18080, 443:18443')).toEqual({ 80: 18080, 443: 18443 });
    expect(parsePortMap(undefined)).toEqual({});
    expect(parsePortMap('')).toEqual({});
  });

  it('refuses malformed, out-of-range and repeated entries', () => {
    expect(() => parsePortMap('80')).toThrow(/"80" is not/);
    expect(() => parsePortMap('80:0')).toThrow(/not <declared port>/);
    expect(() => parsePortMap('70000:1')).toThrow(/not <declared port>/);
    expect(() => parsePortMap('80:1,80:2')).toThrow(/mapped twice/);
  });
});
