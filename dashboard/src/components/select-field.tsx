import { Field } from './field';

/** A form `Field` holding a `<select>` of fixed choices, each shown as its own value. */
export function SelectField({
  label,
  path,
  name,
  value,
  options,
  errors,
  onChange,
}: {
  label: string;
  path: string;
  name: string;
  value: string;
  options: readonly string[];
  errors: Record<string, string>;
  onChange: (value: string) => void;
}) {
  return (
    <Field label={label} path={path} errors={errors}>
      <select name={name} value={value} onChange={(ev) => onChange(ev.target.value)}>
        {options.map((o) => (
          <option key={o}>{o}</option>
        ))}
      </select>
    </Field>
  );
}
