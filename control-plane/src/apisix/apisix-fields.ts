import { fieldPath, type IssueList } from './apisix-issue.js';

/** How Sluice takes one APISIX field: as it is, with a difference the doc says, or not at all. */
export interface FieldSupport {
  support: 'supported' | 'partly' | 'refused' | 'ignored';
  doc: string;
}

export type FieldTable = Readonly<Record<string, FieldSupport>>;

/** Fields every APISIX resource may carry. */
export const COMMON_FIELDS: FieldTable = {
  id: { support: 'supported', doc: 'The document id (an integer id becomes its string).' },
  name: { support: 'supported', doc: '' },
  desc: { support: 'supported', doc: '' },
  labels: { support: 'supported', doc: '' },
  create_time: { support: 'ignored', doc: 'Sluice keeps `createdAt` itself; answers carry `create_time` from it.' },
  update_time: { support: 'ignored', doc: 'Sluice keeps `updatedAt` itself; answers carry `update_time` from it.' },
};

/** Refuses fields a table marks refused and fields it does not know, naming each. */
export function checkFields(doc: Record<string, unknown>, table: FieldTable, at: string, issues: IssueList, what: string): void {
  for (const key of Object.keys(doc)) {
    const declared = table[key] ?? COMMON_FIELDS[key];
    if (!declared) issues.add(fieldPath(at, key), `is not a ${what} field Sluice knows`);
    else if (declared.support === 'refused') issues.add(fieldPath(at, key), `is not supported: ${declared.doc}`);
  }
}

/** name, desc, labels as they are. */
export function metaOf(doc: Record<string, any>): Record<string, unknown> {
  return {
    ...(doc.name !== undefined ? { name: doc.name } : {}),
    ...(doc.desc !== undefined ? { desc: doc.desc } : {}),
    ...(doc.labels !== undefined ? { labels: doc.labels } : {}),
  };
}
