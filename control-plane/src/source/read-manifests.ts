import fs from 'node:fs';
import path from 'node:path';
import { parseManifests } from './parse-manifests.js';

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

export interface ManifestFileError {
  file: string;
  message: string;
}

export interface ManifestRead {
  objects: unknown[];
  /** Files that could not be read or parsed this time. */
  errors: ManifestFileError[];
  /** file → its objects, the last version that parsed. */
  parsed: Map<string, unknown[]>;
}

/**
 * Reads every manifest file under `dir` (or `dir` itself when it is a file; sorted, recursively, hidden files skipped). A file that
 * fails to parse is reported and keeps the objects of its last good version (`previous`), so a
 * typo in one file never deletes what it used to declare.
 */
export function readManifests(dir: string, previous: ReadonlyMap<string, unknown[]> = new Map()): ManifestRead {
  const objects: unknown[] = [];
  const errors: ManifestFileError[] = [];
  const parsed = new Map<string, unknown[]>();
  for (const file of listManifestFiles(dir)) {
    try {
      const fileObjects = parseManifests(fs.readFileSync(file, 'utf8'));
      parsed.set(file, fileObjects);
      objects.push(...fileObjects);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed while we listed
      errors.push({ file, message: (err as Error).message });
      const lastGood = previous.get(file);
      if (lastGood) {
        parsed.set(file, lastGood);
        objects.push(...lastGood);
      }
    }
  }
  return { objects, errors, parsed };
}

function listManifestFiles(dir: string): string[] {
  if (!fs.statSync(dir).isDirectory()) return [dir];
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listManifestFiles(full));
    else if (entry.isFile() && MANIFEST_FILE.test(entry.name)) files.push(full);
  }
  return files;
}
