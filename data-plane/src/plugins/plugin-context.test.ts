import { parse } from 'node:querystring';
import { describe, expect, it } from 'vitest';
import { PluginContext } from './plugin-context.js';

const ctx = (q: string) => new PluginContext('GET', '/', q, {}, '127.0.0.1', 'http', 'r');

describe('PluginContext.queryParam', () => {
  it('reads a parameter in place exactly as the full parser would', () => {
    const queries = [
      'apikey=k1',
      'a=1&apikey=k2&b=3',
      'apikey=first&apikey=second',
      'xapikey=no&apikey=yes',
      'apikey',
      'a=1&apikey',
      'apikey=',
      'b=2',
      '',
      'apikey=a%20b',
      'apikey=a+b',
      'api%6Bey=enc',
      'a=1&apikey&b=2',
    ];
    for (const q of queries) {
      const parsed = parse(q).apikey;
      const expected = Array.isArray(parsed) ? parsed[0] : parsed;
      expect(ctx(q).queryParam('apikey'), q).toBe(expected);
    }
  });
});
