import type { JsonSchema } from '../../api/admin-api';
import { Field } from '../field';
import { JsonValueBox } from './json-value-box';
import { ListInput } from './list-input';
import { humanize, pointerSegment, schemaFieldKind } from './schema-field-kind';
import { SecretInput } from './secret-input';

export interface SchemaFieldProps {
  name: string;
  schema: JsonSchema;
  value: unknown;
  onChange: (value: unknown) => void;
  /** JSON pointer of this value in the document, e.g. /plugins/limit-count/count. */
  path: string;
  errors: Record<string, string>;
  required?: boolean;
  /** The label, when the field's name is not the best one. */
  label?: string;
}

/** One input generated from a JSON Schema node; objects recurse into a fieldset. */
export function SchemaField({ name, schema, value, onChange, path, errors, required, label: given }: SchemaFieldProps) {
  const spec = schemaFieldKind(schema);
  const label = `${given ?? humanize(name)}${required ? ' *' : ''}`;
  const hint =
    [schema.description, schema.default !== undefined ? `default ${JSON.stringify(schema.default)}` : undefined].filter(Boolean).join(' · ') || undefined;

  switch (spec.kind) {
    case 'object': {
      const obj = (value ?? {}) as Record<string, unknown>;
      return (
        <fieldset className="group" data-path={path}>
          <legend>{label}</legend>
          {schema.description && <small className="muted">{schema.description}</small>}
          {spec.properties.map(([key, sub]) => (
            <SchemaField
              key={key}
              name={key}
              schema={sub}
              value={obj[key]}
              required={spec.required.has(key)}
              path={`${path}/${pointerSegment(key)}`}
              errors={errors}
              onChange={(v) => onChange(withField(obj, key, v))}
            />
          ))}
          {errors[path] && (
            <small className="field-error" role="alert">
              {errors[path]}
            </small>
          )}
        </fieldset>
      );
    }
    case 'boolean':
      return (
        <Field label={label} path={path} errors={errors} hint={hint}>
          <select value={value === undefined ? '' : String(value)} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value === 'true')}>
            <option value="">(default)</option>
            <option value="true">true</option>
            <option value="false">false</option>
          </select>
        </Field>
      );
    case 'enum':
      return (
        <Field label={label} path={path} errors={errors} hint={hint}>
          <select
            value={value === undefined ? '' : String(value)}
            onChange={(e) => {
              const picked = spec.options.find((o) => String(o) === e.target.value);
              onChange(picked);
            }}
          >
            <option value="">{required ? '(choose)' : '(default)'}</option>
            {spec.options.map((o) => (
              <option key={String(o)} value={String(o)}>
                {String(o)}
              </option>
            ))}
          </select>
        </Field>
      );
    case 'number':
      return (
        <Field label={label} path={path} errors={errors} hint={hint}>
          <input
            type="number"
            step={spec.integer ? 1 : 'any'}
            value={typeof value === 'number' ? value : ''}
            onChange={(e) => onChange(e.target.value.trim() === '' ? undefined : Number(e.target.value))}
          />
        </Field>
      );
    case 'string':
      return (
        <Field label={label} path={path} errors={errors} hint={hint}>
          {spec.multiline ? (
            <textarea rows={4} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)} />
          ) : (
            <input value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)} />
          )}
        </Field>
      );
    case 'secret':
      return (
        <Field label={label} path={path} errors={errors} hint={hint}>
          <SecretInput value={value} onChange={onChange} />
        </Field>
      );
    case 'list':
      return (
        <ListInput label={label} path={path} errors={errors} hint={hint} value={value} numbers={spec.numbers} strings={spec.strings} onChange={onChange} />
      );
    default:
      return <JsonValueBox label={label} path={path} errors={errors} hint={hint} value={value} onChange={onChange} />;
  }
}

/** A copy of `obj` with `key` set, or removed when the value is undefined. */
function withField(obj: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy = { ...obj };
  if (value === undefined) delete copy[key];
  else copy[key] = value;
  return copy;
}
