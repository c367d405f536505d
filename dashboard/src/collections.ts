import type { Collection } from './api/client';

/** The editable collections in navigation order, with their page titles. */
export const editableCollections: { collection: Collection; title: string }[] = [
  { collection: 'routes', title: 'Routes' },
  { collection: 'upstreams', title: 'Upstreams' },
  { collection: 'ssls', title: 'Certificates' },
  { collection: 'stream-routes', title: 'Stream routes' },
  { collection: 'consumers', title: 'Consumers' },
  { collection: 'plugin-configs', title: 'Plugin configs' },
  { collection: 'global-rules', title: 'Global rules' },
  { collection: 'services', title: 'Services' },
];

/** The same collections as checklist choices (value and label). */
export const collectionChoices = editableCollections.map((c) => ({ value: c.collection as string, label: c.title }));

export function titleOf(collection: string): string {
  return editableCollections.find((c) => c.collection === collection)?.title ?? collection;
}

export function isCollection(name: string): name is Collection {
  return editableCollections.some((c) => c.collection === name);
}
