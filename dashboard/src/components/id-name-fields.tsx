import { Field } from './field';
import type { Doc } from './use-document-editor';

/** The id (only while creating) and name fields every document form starts with. */
export function IdNameFields({ doc, isNew, errors, set }: { doc: Doc; isNew: boolean; errors: Record<string, string>; set: (path: string[], value: unknown) => void }) {
  return (
    <>
      {isNew && (
        <Field label="Id" path="/id" errors={errors} hint="Leave empty for a generated id.">
          <input name="id" value={doc.id ?? ''} onChange={(ev) => set(['id'], ev.target.value)} />
        </Field>
      )}
      <Field label="Name" path="/name" errors={errors}>
        <input name="name" value={doc.name ?? ''} onChange={(ev) => set(['name'], ev.target.value)} />
      </Field>
    </>
  );
}
