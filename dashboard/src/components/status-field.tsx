import { SelectField } from './select-field';
import type { Doc } from './use-document-editor';

const STATUSES = ['enabled', 'disabled'] as const;

/** The `status` switch of a document; `enabled` is the default, so it is stored as no field at all. */
export function StatusField({ doc, errors, set }: { doc: Doc; errors: Record<string, string>; set: (path: string[], value: unknown) => void }) {
  return (
    <SelectField
      label="Status"
      path="/status"
      name="status"
      value={doc.status ?? 'enabled'}
      options={STATUSES}
      errors={errors}
      onChange={(v) => set(['status'], v === 'enabled' ? undefined : v)}
    />
  );
}
