import { admitManifests } from './admit-manifests.js';
import type { ClusterSnapshot } from './cluster-snapshot.js';
import { coalesce } from './coalesce.js';
import { readManifests } from './read-manifests.js';
import { COALESCE_MS, type ResourceSource } from './resource-source.js';
import { resourcesFromObjects } from './resources-from-objects.js';
import { watchFolder, type FolderWatch } from './watch-folder.js';

export interface FileSourceOptions {
  dir: string;
  /**
   * Told about every file that fails to parse (it is skipped; its last good version stays), every
   * object the API server would refuse (left out) and every removed Ingress version converted.
   */
  warn?: (warning: { object: string; message: string }) => void;
  coalesceMs?: number;
}

/**
 * A folder (or one file) of Kubernetes manifests as a source: `gateway up --manifests DIR`. Any
 * change in the folder re-reads all of it (small folders; a full read keeps deletions and renames
 * trivially right), after a short debounce so one editor save is one snapshot.
 */
export function createFileSource({ dir, warn = () => {}, coalesceMs = COALESCE_MS }: FileSourceOptions): ResourceSource {
  let watcher: FolderWatch | undefined;
  let burst: ReturnType<typeof coalesce> | undefined;
  let parsed = new Map<string, unknown[]>();
  let closed = false;

  const snapshot = (): ClusterSnapshot => {
    const read = readManifests(dir, parsed);
    parsed = read.parsed;
    for (const e of read.errors) warn({ object: `file/${e.file}`, message: `skipped: ${e.message}` });
    return resourcesFromObjects(admitManifests(read.objects, warn));
  };

  return {
    async start(onChange) {
      const publish = () => {
        if (closed) return;
        try {
          onChange(snapshot());
        } catch (err) {
          warn({ object: `dir/${dir}`, message: `cannot read: ${(err as Error).message}` });
        }
      };
      const changes = (burst = coalesce(coalesceMs, publish));
      // Watch before the first read, so an edit made in between is not missed.
      watcher = watchFolder(
        dir,
        () => changes.trigger(),
        (err) => warn({ object: `dir/${dir}`, message: `watch failed: ${err.message}` }),
      );
      try {
        onChange(snapshot());
      } catch (err) {
        watcher.close();
        throw err;
      }
    },
    async close() {
      closed = true;
      watcher?.close();
      burst?.cancel();
    },
  };
}
