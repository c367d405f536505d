import { Field } from './field';
import type { Doc } from './use-document-editor';

/** The key (only while creating; `id` unless the kind is keyed otherwise), name and description every document form starts with. */
export function IdNameFields({
  doc,
  isNew,
  errors,
  set,
  idField = 'id',
}: {
  doc: Doc;
  isNew: boolean;
  errors: Record<string, string>;
  set: (path: string[], value: unknown) => void;
  idField?: 'id' | 'username';
}) {
  return (
    <>
      {isNew && (
        <Field
          label={idField === 'id' ? 'Id' : 'Username'}
          path={`/${idField}`}
          errors={errors}
          hint={idField === 'id' ? 'Leave empty for a generated id.' : undefined}
        >
          <input name={idField} value={doc[idField] ?? ''} onChange={(ev) => set([idField], ev.target.value)} />
        </Field>
      )}
      <Field label="Name" path="/name" errors={errors}>
        <input name="name" value={doc.name ?? ''} onChange={(ev) => set(['name'], ev.target.value)} />
      </Field>
      <Field label="Description" path="/desc" errors={errors}>
        <input name="desc" value={doc.desc ?? ''} onChange={(ev) => set(['desc'], ev.target.value)} />
      </Field>
    </>
  );
}
