import type { ReactNode } from 'react';
import { useFieldIssue } from './form-issues';

/**
 * A labelled input whose issues are shown right under it: the server's (by JSON pointer) or,
 * before anything is sent, `issue`, which also keeps Save from sending the form.
 * `path` is the pointer of the document field this input edits.
 */
export function Field({
  label,
  path,
  errors,
  children,
  hint,
  issue,
}: {
  label: string;
  path: string;
  errors: Record<string, string>;
  children: ReactNode;
  hint?: string;
  issue?: string;
}) {
  useFieldIssue(path, issue);
  const message = errors[path] ?? issue;
  return (
    <div className={`field${message ? ' invalid' : ''}`} data-path={path}>
      {/* biome-ignore lint/a11y/noLabelWithoutControl: the control is `children`, wrapped by the label */}
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
