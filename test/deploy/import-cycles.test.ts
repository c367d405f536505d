// Layers without cycles: no module of the model, control plane, data plane or dashboard reaches
// itself through its imports, type-only imports included (madge reads `import type` too). A
// cycle here fails `npm test`, and so CI.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import madge from 'madge';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('import graph', () => {
  it.each(['model/src', 'control-plane/src', 'data-plane/src', 'dashboard/src'])('%s has no import cycle', async (dir) => {
    const graph = await madge(path.join(root, dir), {
      fileExtensions: ['ts', 'tsx'],
      tsConfig: path.join(root, 'tsconfig.base.json'),
      excludeRegExp: [/\.test\.tsx?$/, /(^|\/)dist\//],
    });
    expect(graph.circular()).toEqual([]);
  });
});
