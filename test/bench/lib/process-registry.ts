import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { processStartTime, processTree } from './process-cpu.js';

export interface SpawnOptions {
  /** Pin the process (and every child it forks) to this CPU with `taskset -c`. */
  cpu?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** A process the bench started: its pid, output and exit, kept so it can be stopped later. */
export interface BenchProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) whenever the process ends. */
  exited: Promise<number | string>;
  /** Last few KB of stderr, for error reports. */
  stderrTail(): string;
  /** Full stdout so far. */
  stdout(): string;
  /** Resolves with the first stdout line that matches, rejects if the process exits first or on timeout. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  isRunning(): boolean;
}

const TAIL_BYTES = 4000;

/**
 * Starts every process of the bench and stops them all by pid, descendants included,
 * whatever way the bench ends (normal end, error, Ctrl-C).
 */
export class ProcessRegistry {
  private readonly running = new Set<BenchProcess>();

  spawn(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): BenchProcess {
    const [cmd, argv] = options.cpu === undefined ? [command, [...args]] : ['taskset', ['-c', String(options.cpu), command, ...args]];
    const child = spawn(cmd, argv, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
    let stderr = '';
    let stdout = '';
    let exitValue: number | string | undefined;
    const lineWaiters = new Set<(line: string) => void>();
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-TAIL_BYTES);
    });
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      for (const waiter of lineWaiters) waiter(line);
    });
    const exited = new Promise<number | string>((resolve) => {
      child.once('exit', (code, signal) => {
        exitValue = code ?? signal ?? 'unknown';
        resolve(exitValue);
      });
      child.once('error', (err) => {
        stderr += `\n${err.message}`;
        exitValue = 'spawn-error';
        resolve(exitValue);
      });
    });
    const proc: BenchProcess = {
      name,
      pid: child.pid,
      child,
      exited,
      stderrTail: () => stderr.trim(),
      stdout: () => stdout,
      isRunning: () => exitValue === undefined,
      waitForLine: (pattern, timeoutMs) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => finish(new Error(`${name}: no output matching ${pattern} within ${timeoutMs} ms`)), timeoutMs);
          const onLine = (line: string) => {
            const m = line.match(pattern);
            if (m) finish(undefined, m);
          };
          const finish = (err?: Error, m?: RegExpMatchArray) => {
            clearTimeout(timer);
            lineWaiters.delete(onLine);
            if (err) reject(err);
            else resolve(m!);
          };
          lineWaiters.add(onLine);
          void exited.then((v) => finish(new Error(`${name} exited (${v}) before printing ${pattern}: ${stderr.trim().slice(-1500)}`)));
        }),
    };
    this.running.add(proc);
    void exited.then(() => this.running.delete(proc));
    return proc;
  }

  /** SIGTERM the process, SIGKILL it after the grace period, then SIGKILL any descendant left behind. */
  async stop(proc: BenchProcess, graceMs = 3000): Promise<void> {
    if (!proc.isRunning()) return;
    const descendants = processTree(proc.pid)
      .slice(1)
      .map((pid) => ({ pid, started: processStartTime(pid) }));
    signal(proc.pid, 'SIGTERM');
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
    if ((await Promise.race([proc.exited, timer])) === 'timeout') {
      signal(proc.pid, 'SIGKILL');
      await proc.exited;
    }
    // Only a pid that still belongs to the same process (same start time) is killed.
    for (const d of descendants) if (d.started !== undefined && processStartTime(d.pid) === d.started) signal(d.pid, 'SIGKILL');
    this.running.delete(proc);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((p) => this.stop(p)));
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}
