import { describe, expect, it } from 'vitest';
import { kindByCollection } from './kinds.js';
import { keepStoredSecrets, redactSecrets, SECRET_PLACEHOLDER, secretFields } from './secret-fields.js';

const consumers = kindByCollection('consumers')!;
const routes = kindByCollection('routes')!;

describe('secret fields', () => {
  it('finds writeOnly fields in the kind schema, inline upstreams and plugin configs (consumer credentials by their own schema)', () => {
    const route = {
      id: 'r',
      upstream: { nodes: [{ host: 'a', port: 1 }], tls: { clientCert: 'CERT', clientKey: 'KEY' } },
      plugins: {
        'basic-auth': { credentials: ['u:h1', 'v:h2'] },
        opentelemetry: { collector: { address: 'c:4318', requestHeaders: { 'x-api-key': 'k' } } },
        cors: {},
      },
    };
    expect(
      secretFields(routes, route)
        .map((f) => f.pointer)
        .sort(),
    ).toEqual([
      '/plugins/basic-auth/credentials/0',
      '/plugins/basic-auth/credentials/1',
      '/plugins/opentelemetry/collector/requestHeaders/x-api-key',
      '/upstream/tls/clientKey',
    ]);
    const consumer = { username: 'a', plugins: { 'basic-auth': { username: 'a', password: 'p' }, 'key-auth': { key: 'k' } } };
    expect(secretFields(consumers, consumer)).toEqual([
      { pointer: '/plugins/basic-auth/password', required: true },
      { pointer: '/plugins/key-auth/key', required: true },
    ]);
  });

  it('redacts into a copy and keeps stored values for placeholders and left-out required secrets', () => {
    const stored = { username: 'a', plugins: { 'basic-auth': { username: 'a', password: 'p' }, 'key-auth': { key: 'k' } } };
    const shown = redactSecrets(consumers, stored);
    expect(shown.plugins).toEqual({ 'basic-auth': { username: 'a', password: SECRET_PLACEHOLDER }, 'key-auth': { key: SECRET_PLACEHOLDER } });
    expect(stored.plugins['key-auth'].key).toBe('k');
    const back = keepStoredSecrets(consumers, { ...shown, plugins: { ...shown.plugins, 'key-auth': {} } }, stored);
    expect(back).toEqual({ doc: stored, issues: [] });
    // A removed plugin does not come back; a placeholder with nothing stored is an issue.
    expect(keepStoredSecrets(consumers, { username: 'a', plugins: { 'key-auth': { key: 'k2' } } }, stored).doc).toEqual({
      username: 'a',
      plugins: { 'key-auth': { key: 'k2' } },
    });
    expect(keepStoredSecrets(consumers, { username: 'b', plugins: { 'key-auth': { key: SECRET_PLACEHOLDER } } }, undefined).issues).toEqual([
      { path: '/plugins/key-auth/key', message: expect.stringContaining('no secret is stored there') },
    ]);
  });
});
