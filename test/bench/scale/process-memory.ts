import fs from 'node:fs';

/** Resident memory of a process (VmRSS), in bytes; NaN when it is gone. */
export function rssBytes(pid: number): number {
  return statusField(pid, 'VmRSS');
}

/** Its anonymous part (heap, stacks: what the process itself allocated, not shared file pages), in bytes. */
export function anonymousBytes(pid: number): number {
  return statusField(pid, 'RssAnon');
}

function statusField(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** The pids of a process's direct children (a data-plane primary's workers). */
export function childPids(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
