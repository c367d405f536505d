import { describe, expect, it } from 'vitest';
import { pluginSpecByName } from '@sluice/model';
import { humanize, pointerSegment, schemaFieldKind } from './schema-field-kind';

const plain = (name: string) => JSON.parse(JSON.stringify(pluginSpecByName(name)!.schema));

describe('schemaFieldKind', () => {
  it('maps the limit-count schema to inputs: integers, enums from literal unions, booleans', () => {
    const form = schemaFieldKind(plain('limit-count'));
    if (form.kind !== 'object') throw new Error(`expected an object, got ${form.kind}`);
    const byName = Object.fromEntries(form.properties.map(([k, s]) => [k, schemaFieldKind(s)]));
    expect(byName.count).toEqual({ kind: 'number', integer: true });
    expect(byName.policy).toEqual({ kind: 'enum', options: ['local', 'redis'] });
    expect(byName.showLimitQuotaHeader).toEqual({ kind: 'boolean' });
    expect(byName.key).toEqual({ kind: 'string', multiline: false });
    expect([...form.required]).toEqual(['count', 'timeWindow']);
  });

  it('uses a list for arrays of strings or numbers, a password input for write-only strings, and a JSON box for anything else', () => {
    expect(schemaFieldKind({ type: 'array', items: { type: 'string' } })).toEqual({ kind: 'list', numbers: false, strings: true });
    expect(schemaFieldKind({ type: 'array', items: { type: 'integer' } })).toEqual({ kind: 'list', numbers: true, strings: false });
    expect(schemaFieldKind({ type: 'array', items: { anyOf: [{ const: 'error' }, { const: 'timeout' }, { type: 'integer' }] } })).toEqual({
      kind: 'list',
      numbers: true,
      strings: true,
    });
    expect(schemaFieldKind({ type: 'string', writeOnly: true })).toEqual({ kind: 'secret' });
    expect(schemaFieldKind({ type: 'array', items: { type: 'string', writeOnly: true } })).toEqual({ kind: 'json' });
    expect(schemaFieldKind({ type: 'array', items: { type: 'object', properties: { a: { type: 'string' } } } })).toEqual({ kind: 'json' });
    expect(schemaFieldKind({ type: 'object', patternProperties: { '^.*$': { type: 'string' } } })).toEqual({ kind: 'json' });
    expect(schemaFieldKind({ anyOf: [{ type: 'string' }, { type: 'object' }] })).toEqual({ kind: 'json' });
  });

  it('labels and points at fields', () => {
    expect(humanize('rejectedCode')).toBe('Rejected code');
    expect(humanize('redis_host')).toBe('Redis host');
    expect(pointerSegment('a/b~c')).toBe('a~1b~0c');
  });
});
