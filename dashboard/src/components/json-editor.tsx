import { useState } from 'react';

/** Raw JSON of a document; changes reach the caller only while the text parses. */
export function JsonEditor({
  value,
  onChange,
  readOnly,
  onValidity,
}: {
  value: unknown;
  onChange: (doc: Record<string, any>) => void;
  readOnly?: boolean;
  onValidity?: (ok: boolean) => void;
}) {
  const [text, setText] = useState(() => JSON.stringify(value, null, 2));
  const [parseError, setParseError] = useState<string>();

  const edit = (next: string) => {
    setText(next);
    try {
      const parsed = JSON.parse(next);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the document must be a JSON object');
      setParseError(undefined);
      onValidity?.(true);
      onChange(parsed);
    } catch (err) {
      setParseError((err as Error).message);
      onValidity?.(false);
    }
  };

  return (
    <div className="json-editor">
      <textarea
        aria-label="Document JSON"
        spellCheck={false}
        value={text}
        readOnly={readOnly}
        onChange={(e) => edit(e.target.value)}
        rows={Math.min(40, Math.max(12, text.split('\n').length + 1))}
      />
      {parseError && (
        <p className="error" role="alert">
          JSON: {parseError}
        </p>
      )}
    </div>
  );
}
