import type { WhoAmI } from './api/admin-types';

/**
 * Whether `who` may write `doc` of `collection`, as the admin API enforces it: admins all,
 * viewers nothing, editors only their kinds and documents whose labels match their selector.
 * The UI only hides what the API would refuse anyway.
 */
export function canWrite(who: WhoAmI, collection: string, doc?: { labels?: Record<string, string> }): boolean {
  if (who.role === 'admin') return true;
  if (who.role !== 'editor') return false;
  if (who.kinds && !who.kinds.includes(collection)) return false;
  if (who.labels && doc) {
    for (const [k, v] of Object.entries(who.labels)) if (doc.labels?.[k] !== v) return false;
  }
  return true;
}
