import { useId } from 'react';

/** A PEM pasted into a textarea or read from a file; the file's text lands in the textarea. */
export function PemInput({
  label,
  name,
  value,
  onChange,
  placeholder,
}: {
  label: string;
  name: string;
  value: string;
  onChange: (pem: string) => void;
  placeholder?: string;
}) {
  const fileId = useId();
  return (
    <div className="pem-input">
      <label>
        <span className="field-label">{label}</span>
        <textarea
          name={name}
          rows={6}
          spellCheck={false}
          value={value}
          placeholder={placeholder ?? '-----BEGIN …'}
          onChange={(e) => onChange(e.target.value)}
        />
      </label>
      <label htmlFor={fileId} className="file-label">
        <span className="muted">or load {label.toLowerCase()} from a file</span>
      </label>
      <input
        id={fileId}
        type="file"
        accept=".pem,.crt,.cer,.key,text/plain"
        aria-label={`${label} file`}
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) void file.text().then(onChange);
        }}
      />
    </div>
  );
}
