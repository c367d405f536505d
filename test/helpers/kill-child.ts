import type { ChildProcess } from 'node:child_process';

/** SIGKILLs a child process of the test and resolves once it has exited (at once if it already has). */
export function killChild(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}
