import fs from 'node:fs';

const ESTABLISHED = '01';

/** Inodes of established TCP sockets whose local port is `port` (the server side of its connections). */
function establishedInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== ESTABLISHED) continue;
      if (parseInt(cols[1]!.split(':')[1]!, 16) === port) inodes.add(cols[9]!);
    }
  }
  return inodes;
}

/** How many established connections on the server `port` each process holds (e.g. per worker). */
export function connectionsPerProcess(pids: readonly number[], port: number): Map<number, number> {
  const inodes = establishedInodes(port);
  const counts = new Map<number, number>();
  for (const pid of pids) {
    let count = 0;
    let fds: string[] = [];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      /* gone */
    }
    for (const fd of fds) {
      try {
        const m = fs.readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/);
        if (m && inodes.has(m[1]!)) count++;
      } catch {
        /* closed meanwhile */
      }
    }
    counts.set(pid, count);
  }
  return counts;
}
