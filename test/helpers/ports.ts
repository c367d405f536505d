import net from 'node:net';

/** Ports handed out by this process: never twice. */
const handedOut = new Set<number>();

/**
 * A loopback TCP port that was free a moment ago, for servers a test starts later (stream
 * routes, etcd). Picked at random below the kernel's ephemeral range (32768+): servers that
 * other tests bind to port 0, and client sockets, get their ports from that range, so a port
 * picked here is not taken by a parallel test in the moment before it is used.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * 20_000);
    if (handedOut.has(port) || !(await canListen(port, host))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no free port found in 10000-29999');
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** Polls `check` until it returns true or the deadline passes. For readiness, never as a sleep. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
