import { useState } from 'react';

/** Any JSON value as text, for schema shapes a generated input cannot carry; passes on only what parses. */
export function JsonValueBox({ value, onChange }: { value: unknown; onChange: (value: unknown) => void }) {
  const [text, setText] = useState(() => (value === undefined ? '' : JSON.stringify(value, null, 2)));
  const [bad, setBad] = useState<string>();
  return (
    <>
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
      {bad && <small className="field-error">JSON: {bad}</small>}
    </>
  );
}
