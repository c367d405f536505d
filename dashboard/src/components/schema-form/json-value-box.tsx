import { useState } from 'react';
import { Field } from '../field';

/**
 * Any JSON value as text, for schema shapes a generated input cannot carry. Only what parses
 * is passed on; text that does not parse is an issue on the field, so Save refuses the form
 * rather than dropping what was typed.
 */
export function JsonValueBox({
  label,
  path,
  errors,
  hint,
  value,
  onChange,
}: {
  label: string;
  path: string;
  errors: Record<string, string>;
  hint?: string;
  value: unknown;
  onChange: (value: unknown) => void;
}) {
  const [text, setText] = useState(() => (value === undefined ? '' : JSON.stringify(value, null, 2)));
  const [bad, setBad] = useState<string>();
  return (
    <Field label={label} path={path} errors={errors} hint={hint ?? 'JSON'} issue={bad && `JSON: ${bad}`}>
      <textarea
        className="json-box"
        rows={Math.min(12, Math.max(2, text.split('\n').length))}
        spellCheck={false}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === '') {
            setBad(undefined);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(e.target.value));
            setBad(undefined);
          } catch (err) {
            setBad((err as Error).message);
          }
        }}
      />
    </Field>
  );
}
