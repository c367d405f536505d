import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SLUICE_VERSION } from './version.js';

describe('SLUICE_VERSION', () => {
  it('is the version of every package.json', () => {
    for (const file of [
      '../../package.json',
      '../package.json',
      '../../control-plane/package.json',
      '../../data-plane/package.json',
      '../../dashboard/package.json',
    ]) {
      expect(JSON.parse(fs.readFileSync(new URL(file, import.meta.url), 'utf8')).version, file).toBe(SLUICE_VERSION);
    }
  });
});
