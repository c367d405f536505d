import { describe, expect, it } from 'vitest';
import { type GatewayError, kindByCollection } from '@sluice/model';
import { authorizeWrite } from './authorize-write.js';
import { parseDuration } from './parse-duration.js';

const routes = kindByCollection('routes')!;
const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return (err as GatewayError).code;
  }
};

describe('authorizeWrite', () => {
  it('lets admins write anything and editors only their kinds and labels, before and after', () => {
    expect(authorizeWrite({ name: 'admin', role: 'admin' }, routes, 'r')).toBeUndefined();
    expect(codeOf(() => authorizeWrite({ name: 'e', role: 'editor', kinds: ['upstreams'] }, routes, 'r'))).toBe('GW_ERR_EDITOR_SCOPE');
    const check = authorizeWrite({ name: 'e', role: 'editor', kinds: ['routes'], labels: { team: 'a' } }, routes, 'r')!;
    expect(codeOf(() => check(undefined, { labels: { team: 'a', x: 'y' } }))).toBe('ok');
    expect(codeOf(() => check(undefined, { labels: { team: 'b' } }))).toBe('GW_ERR_EDITOR_SCOPE');
    expect(codeOf(() => check({ labels: { team: 'b' } }, { labels: { team: 'a' } }))).toBe('GW_ERR_EDITOR_SCOPE');
    expect(codeOf(() => check({}, undefined))).toBe('GW_ERR_EDITOR_SCOPE');
  });
});

describe('parseDuration', () => {
  it('reads ms, s and m, and refuses anything else', () => {
    expect(parseDuration('500ms', 't')).toBe(500);
    expect(parseDuration('5s', 't')).toBe(5000);
    expect(parseDuration('1.5', 't')).toBe(1500);
    expect(parseDuration('1m', 't')).toBe(60_000);
    expect(codeOf(() => parseDuration('soon', 't'))).toBe('GW_ERR_BAD_REQUEST');
  });
});
