import { describe, expect, it } from 'vitest';
import { processCpu, processTree } from './process-cpu.js';
import { ProcessRegistry } from './process-registry.js';
import { waitFor } from '../../helpers/ports.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('ProcessRegistry', () => {
  it('stops a process and the children it forked, by pid', async () => {
    const registry = new ProcessRegistry();
    // A parent that ignores SIGTERM and a child that outlives it unless killed.
    const script = `const { spawn } = require('node:child_process');
      process.on('SIGTERM', () => {});
      const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      console.log(JSON.stringify({ child: child.pid }));
      setInterval(() => {}, 1000);`;
    const proc = registry.spawn('parent', process.execPath, ['-e', script], { cpu: 0 });
    const line = await proc.waitForLine(/"child":(\d+)/, 10_000);
    const childPid = Number(line[1]);
    await waitFor(() => processTree(proc.pid).includes(childPid), 5000, 'child in the tree');
    await registry.stop(proc, 300);
    expect(proc.isRunning()).toBe(false);
    await waitFor(() => !alive(childPid), 5000, 'child gone');
  });

  it('rejects waitForLine with the stderr when the process exits first', async () => {
    const registry = new ProcessRegistry();
    const proc = registry.spawn('failing', process.execPath, ['-e', 'console.error("boom"); process.exit(3)']);
    await expect(proc.waitForLine(/never/, 10_000)).rejects.toThrow(/exited \(3\).*boom/s);
  });
});

describe('processCpu', () => {
  it('counts CPU spent by a child process tree', async () => {
    const registry = new ProcessRegistry();
    const proc = registry.spawn('burner', process.execPath, [
      '-e',
      'const end = Date.now() + 400; while (Date.now() < end); console.log("done"); setInterval(() => {}, 1000)',
    ]);
    await proc.waitForLine(/done/, 10_000);
    expect(processCpu(proc.pid)).toBeGreaterThanOrEqual(200_000);
    await registry.stopAll();
  });
});
