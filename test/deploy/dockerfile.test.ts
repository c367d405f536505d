// deploy/Dockerfile, read (no Docker engine runs here): a pinned Node 24 base, a runtime stage
// with only built output and production dependencies, tini as PID 1, the capped node copy for
// low ports, and a build context without tests and docs. The files the runtime stage copies
// exist after `npm run build`, so the image build does not fail on a missing path.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dockerfile = fs.readFileSync(path.join(ROOT, 'deploy/Dockerfile'), 'utf8');
/** Instructions with their continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const stages: string[][] = [];
for (const line of instructions) {
  if (line.startsWith('FROM ')) stages.push([line]);
  else stages.at(-1)?.push(line);
}
const runtime = stages.at(-1)!;
const build = stages.find((s) => / AS build$/.test(s[0]))!;
const arg = /^ARG NODE_IMAGE=(\S+)$/m.exec(instructions.join('\n'))?.[1] ?? '';

describe('deploy/Dockerfile', () => {
  it('builds on Node.js 24 (.nvmrc) pinned by digest, in both stages', () => {
    expect(arg).toMatch(/^node:24-bookworm-slim@sha256:[0-9a-f]{64}$/);
    expect(fs.readFileSync(path.join(ROOT, '.nvmrc'), 'utf8').trim()).toBe('24');
    expect(stages.length).toBe(2);
    for (const stage of stages) expect(stage[0]).toMatch(/^FROM \$\{NODE_IMAGE\}( AS build)?$/);
  });

  it('compiles in the build stage and keeps production dependencies only', () => {
    const run = build.filter((l) => l.startsWith('RUN ')).join(' ');
    expect(run).toMatch(/npm ci .*&& npm run build .*&& npm prune --omit=dev/);
  });

  it('ships only built output and production dependencies in the runtime stage', () => {
    expect(runtime.filter((l) => l.startsWith('COPY '))).toEqual(['COPY --from=build --chown=0:0 /runtime /app']);
    const assemble = build.find((l) => l.includes('mkdir /runtime'))!;
    const copied = [...assemble.matchAll(/cp -a --parents ([^&;]+)/g)].flatMap((m) => m[1].trim().split(/\s+/)).filter((p) => p !== '/runtime');
    for (const p of copied)
      expect(p, `${p} is built output, a manifest or production dependencies`).toMatch(
        /^(package(-lock)?\.json|LICENSE|bin|node_modules|"\$ws\/(package\.json|dist|node_modules)"|dashboard\/(package\.json|dist))$/,
      );
    for (const forbidden of ['src', 'test', 'docs', 'examples', '.git'])
      expect(
        copied.some((p) => p.split('/').includes(forbidden)),
        forbidden,
      ).toBe(false);
    // Every workspace the CLI imports at run time has its dist copied.
    expect(/for ws in ([a-z -]+); do/.exec(assemble)?.[1].trim().split(/\s+/)).toEqual(['model', 'control-plane', 'data-plane']);
  });

  it('has the paths the runtime stage copies once the repository is built', () => {
    for (const p of [
      'package.json',
      'package-lock.json',
      'LICENSE',
      'bin/gateway',
      'node_modules',
      'model/dist/index.js',
      'control-plane/dist/index.js',
      'data-plane/dist/index.js',
      'dashboard/package.json',
      'dashboard/dist/index.html',
    ]) {
      expect(fs.existsSync(path.join(ROOT, p)), p).toBe(true);
    }
  });

  it('runs bin/gateway under tini as uid 1000, with the capped node copy for low ports', () => {
    expect(runtime.find((l) => l.startsWith('RUN '))).toMatch(/apt-get install -y --no-install-recommends tini libcap2-bin/);
    expect(runtime.at(-1)).toBe('ENTRYPOINT ["/usr/bin/tini", "--", "bin/gateway"]');
    expect(runtime).toContain('USER 1000');
    expect(runtime.join('\n')).toContain('setcap cap_net_bind_service=+ep /usr/local/bin/node-low-ports');
    expect(
      runtime
        .find((l) => l.startsWith('EXPOSE '))
        ?.split(/\s+/)
        .slice(1),
    ).toEqual(['9080', '9443', '9091', '9092', '9180']);
  });

  it('leaves tests, docs and local state out of the build context', () => {
    const ignored = fs
      .readFileSync(path.join(ROOT, 'deploy/Dockerfile.dockerignore'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    for (const p of ['**/node_modules', '**/dist', '.data', '.git', 'test', 'docs']) expect(ignored).toContain(p);
  });
});
