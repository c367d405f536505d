import { SNAPSHOT_FIELDS } from '../config/config-store.js';
import { LayeredMap } from '../config/layered-map.js';
import type { ConfigSnapshot, Versioned } from '../config/types.js';
import type { CompileResult, TableCompiler } from './compile-table.js';

type Field = (typeof SNAPSHOT_FIELDS)[keyof typeof SNAPSHOT_FIELDS];
type AnyVersioned = Versioned<unknown>;

/** Collections whose documents own listening sockets: the version each replaced is remembered while the new one binds. */
const SOCKET_COLLECTIONS: ReadonlyMap<string, Field> = new Map([
  ['stream-routes', 'streamRoutes'],
  ['listeners', 'listeners'],
]);

/**
 * Compiles snapshots so that a document whose new version cannot take effect keeps its last
 * good version in force, as the config store does for invalid ones. Two ways a version fails:
 *
 * - the compiler rejects it (a missing upstream, a certificate that does not load, a port
 *   conflict...): the table is compiled again with the version the previous table served;
 * - its listening socket cannot be bound (told after the swap, through `markUnbindable`): the
 *   version the socket set still holds open is put back, and stays until the document changes
 *   (as Envoy keeps a listener whose update failed; a document without an earlier version is
 *   simply left to its socket set, which tries it again on every table).
 *
 * Either way the document is reported rejected, its reason saying which version stays. At most
 * two compiles per snapshot; the second only when a rejected document had a good version.
 */
export function createFallbackCompiler(compiler: TableCompiler) {
  /** What the last table was compiled from, and which documents it left out. */
  let previous: { snapshot: ConfigSnapshot; dropped: ReadonlySet<string> } | undefined;
  /** Socket documents: the version each one replaced, which may still be bound while the new one binds. */
  const replaced = new Map<string, AnyVersioned>();
  /** Socket documents whose current version (and maybe its fallback) could not be bound: key → revisions, reason. */
  const unbindable = new Map<string, { revisions: Set<number>; reason: string }>();

  /** The good version to go back to when `failing` cannot take effect, if any. */
  function fallbackFor(key: string, failing: number, refused: ReadonlySet<number> = new Set()): AnyVersioned | undefined {
    const last = previous && !previous.dropped.has(key) ? versionOf(previous.snapshot, key) : undefined;
    if (last && last.modRevision !== failing && !refused.has(last.modRevision)) return last;
    const older = replaced.get(key);
    if (older && older.modRevision !== failing && !refused.has(older.modRevision)) return older;
    return undefined;
  }

  function compile(snapshot: ConfigSnapshot): CompileResult {
    const substitutes = new Map<string, AnyVersioned | undefined>();
    const reasons = new Map<string, string>();
    const fallBack = (key: string, reason: string, version: AnyVersioned | undefined) => {
      substitutes.set(key, version);
      reasons.set(key, reason);
    };

    for (const [key, failure] of unbindable) {
      const current = versionOf(snapshot, key);
      // A new version (or a deletion) is a fresh start: its socket is tried again.
      if (current === undefined || !failure.revisions.has(current.modRevision)) {
        unbindable.delete(key);
        continue;
      }
      fallBack(key, failure.reason, fallbackFor(key, current.modRevision, failure.revisions));
    }
    let effective = withVersions(snapshot, substitutes);
    let result = compiler.compile(effective);

    let retry = false;
    for (const [key, reason] of result.rejected) {
      const current = versionOf(snapshot, key);
      if (substitutes.has(key) || current === undefined) continue;
      const version = fallbackFor(key, current.modRevision);
      if (version === undefined) continue;
      fallBack(key, reason, version);
      retry = true;
    }
    if (retry) {
      effective = withVersions(snapshot, substitutes);
      result = compiler.compile(effective);
    }

    const rejected = new Map(result.rejected);
    for (const [key, reason] of reasons) {
      // An earlier version that fails too is left out: the new version's reason is what the user must fix.
      const kept = substitutes.get(key);
      const serving = kept !== undefined && !result.rejected.has(key);
      rejected.set(key, serving ? `${reason}; the previous version (revision ${kept.modRevision}) stays in force` : reason);
    }
    remember(effective, new Set(result.rejected.keys()));
    return { table: result.table, rejected };
  }

  /** Notes socket documents' versions that now serve in place of others. */
  function remember(effective: ConfigSnapshot, dropped: ReadonlySet<string>): void {
    if (previous) {
      for (const [collection, field] of SOCKET_COLLECTIONS) {
        const before = previous.snapshot[field] as ReadonlyMap<string, AnyVersioned>;
        const now = effective[field] as ReadonlyMap<string, AnyVersioned>;
        for (const [id, version] of before) {
          const key = `${collection}/${id}`;
          const next = now.get(id);
          if (next === undefined) replaced.delete(key);
          // Only a newer version replaces one: going back to an earlier version (a fallback) is not a replacement.
          else if (next.modRevision > version.modRevision && !previous.dropped.has(key)) replaced.set(key, version);
        }
      }
    }
    previous = { snapshot: effective, dropped };
  }

  return {
    compile,
    /**
     * A socket for `key` at `modRevision` could not be bound. Returns true when that changes
     * what should be served (an earlier version can take over, or the document must go), so
     * the caller compiles its current snapshot again.
     */
    markUnbindable(key: string, modRevision: number, reason: string): boolean {
      const entry = unbindable.get(key);
      if (entry?.revisions.has(modRevision)) return false;
      if (entry) {
        // The earlier version put back could not be bound either.
        entry.revisions.add(modRevision);
        return true;
      }
      if (fallbackFor(key, modRevision) === undefined) return false;
      unbindable.set(key, { revisions: new Set([modRevision]), reason });
      return true;
    },
    close: () => compiler.close(),
  };
}

export type FallbackCompiler = ReturnType<typeof createFallbackCompiler>;

const FIELD_BY_COLLECTION = new Map<string, Field>(Object.entries(SNAPSHOT_FIELDS));

/** The version of `<collection>/<id>` in a snapshot. */
function versionOf(snapshot: ConfigSnapshot, key: string): AnyVersioned | undefined {
  const slash = key.indexOf('/');
  const field = FIELD_BY_COLLECTION.get(key.slice(0, slash));
  return field ? (snapshot[field] as ReadonlyMap<string, AnyVersioned>).get(key.slice(slash + 1)) : undefined;
}

/** The snapshot with some documents at other versions (undefined: left out); unchanged when there are none. */
function withVersions(snapshot: ConfigSnapshot, substitutes: ReadonlyMap<string, AnyVersioned | undefined>): ConfigSnapshot {
  if (substitutes.size === 0) return snapshot;
  const byField = new Map<Field, Map<string, AnyVersioned | undefined>>();
  for (const [key, version] of substitutes) {
    const slash = key.indexOf('/');
    const field = FIELD_BY_COLLECTION.get(key.slice(0, slash));
    if (!field) continue;
    let changes = byField.get(field);
    if (!changes) byField.set(field, (changes = new Map()));
    changes.set(key.slice(slash + 1), version);
  }
  const out: Record<string, unknown> = { ...snapshot };
  for (const [field, changes] of byField) {
    const map = snapshot[field] as ReadonlyMap<string, AnyVersioned>;
    out[field] = (map instanceof LayeredMap ? map : LayeredMap.of(new Map(map))).with(changes);
  }
  return Object.freeze(out) as unknown as ConfigSnapshot;
}
