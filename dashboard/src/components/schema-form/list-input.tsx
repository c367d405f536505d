import { useState } from 'react';
import { Field } from '../field';

/** Items of a list of strings and/or numbers, one per line; an item that cannot be one is an issue on the field. */
export function ListInput({
  label,
  path,
  errors,
  hint,
  value,
  numbers,
  strings,
  onChange,
}: {
  label: string;
  path: string;
  errors: Record<string, string>;
  hint?: string;
  value: unknown;
  numbers: boolean;
  strings: boolean;
  onChange: (value: unknown) => void;
}) {
  const [text, setText] = useState(() => (Array.isArray(value) ? value.join('\n') : ''));
  const [bad, setBad] = useState<string>();
  return (
    <Field label={label} path={path} errors={errors} hint={hint ?? 'One per line.'} issue={bad}>
      <textarea
        rows={3}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          const items = e.target.value
            .split(/[\n,]/)
            .map((s) => s.trim())
            .filter(Boolean);
          const parsed = items.map((item) => (numbers && /^-?\d+(\.\d+)?$/.test(item) ? Number(item) : item));
          const notNumber = strings ? undefined : parsed.find((item) => typeof item === 'string');
          setBad(notNumber === undefined ? undefined : `${notNumber} is not a number`);
          if (notNumber === undefined) onChange(parsed.length ? parsed : undefined);
        }}
      />
    </Field>
  );
}
