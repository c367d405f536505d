import fs from 'node:fs';
import path from 'node:path';

export interface FolderWatch {
  close(): void;
}

/**
 * Calls `onChange` whenever something under `target` may have changed: a file written in place,
 * written to a temp file and renamed over (how editors and `git checkout` save), deleted or
 * created again, or a subfolder made or removed. `target` may be a single file: its folder is
 * watched and only events for that name count.
 *
 * Why not `fs.watch(dir, {recursive: true})`: on Linux, Node 20 implements it with one inotify
 * watch per file, which keeps following the inode a rename replaced, so after one rename-style
 * save every later save of that file went unnoticed. A watch on each *folder* sees entries
 * appear, disappear and change by name, whatever happens to the inodes behind them. The
 * folders are listed again after each event, so new subfolders are watched and removed ones
 * dropped. (chokidar would do the same with per-file watches and a ready state the caller,
 * which re-reads the whole folder on any event, does not need.)
 */
export function watchFolder(target: string, onChange: () => void, onError: (err: Error) => void): FolderWatch {
  const isFile = !fs.statSync(target).isDirectory();
  const root = isFile ? path.dirname(target) : target;
  const onlyName = isFile ? path.basename(target) : undefined;
  const watchers = new Map<string, fs.FSWatcher>();
  let closed = false;

  const folderEvent = () => {
    if (closed) return;
    if (!isFile) refresh();
    onChange();
  };

  const watch = (dir: string) => {
    if (watchers.has(dir)) return;
    try {
      const watcher = fs.watch(dir, (_event, name) => {
        if (onlyName !== undefined && name !== null && name !== onlyName) return;
        folderEvent();
      });
      // A watched subfolder that is removed ends its watch with an error on some systems; the parent's event drops it.
      watcher.on('error', (err: NodeJS.ErrnoException) => {
        if (dir === root) onError(err);
        forget(dir);
      });
      watchers.set(dir, watcher);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') onError(err as Error);
    }
  };

  const forget = (dir: string) => {
    watchers.get(dir)?.close();
    watchers.delete(dir);
  };

  /** Watches every folder under the root (hidden ones skipped, as the reader skips them) and forgets the gone ones. */
  const refresh = () => {
    const present = new Set(listFolders(root));
    for (const dir of [...watchers.keys()]) if (!present.has(dir)) forget(dir);
    for (const dir of present) watch(dir);
  };

  if (isFile) watch(root);
  else refresh();
  return {
    close() {
      closed = true;
      for (const dir of [...watchers.keys()]) forget(dir);
    },
  };
}

function listFolders(dir: string): string[] {
  const out = [dir];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out; // gone since its parent was listed: watch() skips it
  }
  for (const entry of entries) {
    if (entry.isDirectory() && !entry.name.startsWith('.')) out.push(...listFolders(path.join(dir, entry.name)));
  }
  return out;
}
