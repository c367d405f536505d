import type { ReactNode } from 'react';

/**
 * A labelled input whose server-side issues (by JSON pointer) are shown right under it.
 * `path` is the pointer of the document field this input edits.
 */
export function Field({ label, path, errors, children, hint }: { label: string; path: string; errors: Record<string, string>; children: ReactNode; hint?: string }) {
  const message = errors[path];
  return (
    <div className={`field${message ? ' invalid' : ''}`} data-path={path}>
      <label>
        <span className="field-label">{label}</span>
        {children}
      </label>
      {hint && !message && <small className="muted">{hint}</small>}
      {message && (
        <small className="field-error" role="alert">
          {message}
        </small>
      )}
    </div>
  );
}
