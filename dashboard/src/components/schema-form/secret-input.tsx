import { SECRET_PLACEHOLDER } from '@sluice/model/browser';
import { useState } from 'react';

/**
 * A write-only value (password, key): the stored one never reaches the page (the API sends a
 * placeholder), so the input starts empty and says a value is stored; left empty it keeps
 * the stored value (the placeholder is sent back), typed into it replaces it.
 */
export function SecretInput({ value, onChange }: { value: unknown; onChange: (value: unknown) => void }) {
  const [stored] = useState(value === SECRET_PLACEHOLDER);
  return (
    <input
      type="password"
      autoComplete="new-password"
      value={typeof value === 'string' && value !== SECRET_PLACEHOLDER ? value : ''}
      placeholder={stored ? '•••••• stored: type to replace' : ''}
      onChange={(e) => onChange(e.target.value === '' ? (stored ? SECRET_PLACEHOLDER : undefined) : e.target.value)}
    />
  );
}
