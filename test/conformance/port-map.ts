// `--port-map`: every listener port the manifests declare, mapped to a high port that is free on
// every Gateway address (README §9.9), so the data plane never needs ports below 1024.
import net from 'node:net';
import dgram from 'node:dgram';

/** Every `port:` of a Gateway or ListenerSet listener in the given manifest objects. */
export function listenerPorts(objects: readonly { kind: string; spec?: unknown }[]): number[] {
  const ports = new Set<number>();
  for (const o of objects) {
    if (o.kind !== 'Gateway' && o.kind !== 'ListenerSet') continue;
    for (const l of ((o.spec as any)?.listeners ?? []) as { port?: number }[]) if (typeof l.port === 'number') ports.add(l.port);
  }
  return [...ports].sort((a, b) => a - b);
}

export const formatPortMap = (map: ReadonlyMap<number, number>) => [...map].map(([from, to]) => `${from}:${to}`).join(',');

const tcpFree = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
const udpFree = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, host, () => s.close(() => resolve(true)));
  });

/**
 * p → base + p (p < 10000), moving the base up by 1000 until every mapped port is free for TCP
 * and UDP on the sample addresses.
 */
export async function choosePortMap(ports: readonly number[], sampleHosts: readonly string[], base = 20000): Promise<Map<number, number>> {
  for (let offset = base; offset <= 50000; offset += 1000) {
    const map = new Map(ports.map((p) => [p, p < 10000 ? offset + p : p]));
    let free = true;
    for (const host of sampleHosts) {
      for (const to of map.values()) {
        if (!(await tcpFree(host, to)) || !(await udpFree(host, to))) {
          free = false;
          break;
        }
      }
      if (!free) break;
    }
    if (free) return map;
  }
  throw new Error('no free port range for --port-map');
}
