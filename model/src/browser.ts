/**
 * `@sluice/model/browser`: the document types and the few plain functions a browser needs, with
 * no schema builder and no validator (TypeBox, Ajv). The dashboard imports this entry: the admin
 * API validates every write and answers with the issues, so the browser only shows them.
 * Types are erased at build time, so re-exporting all of them costs the bundle nothing.
 */
export type * from './meta.js';
export type * from './upstream.js';
export type * from './route.js';
export type * from './service.js';
export type * from './ssl.js';
export type * from './stream-route.js';
export type * from './listener.js';
export type * from './consumer.js';
export type * from './plugin-config.js';
export type * from './dataplane.js';
export type * from './admin-api.js';
export type * from './errors.js';
export { isManaged } from './is-managed.js';
export { hostIssue } from './host-issue.js';
export { SECRET_PLACEHOLDER } from './secret-placeholder.js';
export { kindNames, kindNameByCollection, type KindName } from './kind-names.js';
