import { useId } from 'react';

/** A text area for a document, which a chosen file fills. */
export function TextFileInput({
  label,
  value,
  onChange,
  accept,
  rows = 10,
}: {
  label: string;
  value: string;
  onChange: (text: string) => void;
  accept: string;
  rows?: number;
}) {
  const fileId = useId();
  return (
    <div className="pem-input">
      <label>
        <span className="field-label">{label}</span>
        <textarea rows={rows} spellCheck={false} value={value} onChange={(e) => onChange(e.target.value)} />
      </label>
      <label htmlFor={fileId} className="muted">
        or load a file
      </label>
      <input
        id={fileId}
        type="file"
        accept={accept}
        aria-label={`${label} file`}
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) void file.text().then(onChange);
        }}
      />
    </div>
  );
}
