import http from 'node:http';

export interface SlowUpstream {
  port: number;
  close(): Promise<void>;
}

/**
 * An HTTP upstream that answers `echo <url>` after `delayMs`, so requests stay in flight while
 * a test drains or restarts the gateway in front of it, and each answer proves it was whole.
 */
export async function startSlowUpstream(delayMs = 100): Promise<SlowUpstream> {
  const server = http.createServer((req, res) => void setTimeout(() => res.end(`echo ${req.url}`), delayMs));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
