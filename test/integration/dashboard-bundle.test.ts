// The built dashboard ships no schema builder or validator: it imports @sluice/model/browser,
// and the admin API validates every write. Marker strings of Ajv and TypeBox must not appear in
// its JavaScript (before the browser entry, the bundle carried both: 496.6 KiB raw, 146.1 KiB gzip).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const assets = path.resolve(import.meta.dirname, '../../dashboard/dist/assets');

describe('dashboard bundle', () => {
  it('contains no Ajv or TypeBox code', () => {
    const files = fs.readdirSync(assets).filter((f) => f.endsWith('.js'));
    expect(files.length).toBeGreaterThan(0);
    const js = files.map((f) => fs.readFileSync(path.join(assets, f), 'utf8')).join('\n');
    expect(js).toContain('x-api-key'); // the dashboard's own client is in it
    for (const marker of ['strictTypes', 'must have required property', 'TypeBox', 'TypeCompiler']) expect(js, marker).not.toContain(marker);
  });
});
