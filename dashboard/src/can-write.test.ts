import { describe, expect, it } from 'vitest';
import { canWrite } from './can-write';

describe('canWrite', () => {
  it('follows the roles: admin all, viewer nothing, editor its kinds and labels', () => {
    expect(canWrite({ name: 'a', role: 'admin' }, 'routes')).toBe(true);
    expect(canWrite({ name: 'v', role: 'viewer' }, 'routes')).toBe(false);
    const editor = { name: 'e', role: 'editor' as const, kinds: ['routes'], labels: { team: 'shop' } };
    expect(canWrite(editor, 'upstreams')).toBe(false);
    expect(canWrite(editor, 'routes')).toBe(true);
    expect(canWrite(editor, 'routes', { labels: { team: 'shop' } })).toBe(true);
    expect(canWrite(editor, 'routes', { labels: { team: 'web' } })).toBe(false);
    expect(canWrite(editor, 'routes', {})).toBe(false);
  });
});
