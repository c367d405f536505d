import fs from 'node:fs';
import { UsageError } from './usage-error.mjs';

/** The text of -f FILE (- = standard input) for apply and diff; a missing -f or unreadable file is a usage error. */
export function readDocumentsFile(o) {
  if (!o.file) throw new UsageError('which documents? give -f FILE (- for standard input)');
  try {
    return fs.readFileSync(o.file === '-' ? 0 : o.file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read -f ${o.file}: ${err.code ?? err.message}`);
  }
}

/** The import endpoint's content type for the file: JSON when it parses as JSON, else YAML. */
export function contentTypeOf(text) {
  try {
    JSON.parse(text);
    return 'application/json';
  } catch {
    return 'application/yaml';
  }
}
