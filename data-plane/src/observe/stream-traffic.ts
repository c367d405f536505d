import type net from 'node:net';
import type client from 'prom-client';

/** Plain-number counters of one stream route; the accept and datagram paths bump fields directly. */
export class StreamRouteCounters {
  connections = 0;
  /** Bytes of connections that have closed; open ones are read from their sockets at scrape time. */
  closedBytesIn = 0;
  closedBytesOut = 0;
  readonly open = new Set<net.Socket>();
  datagramsIn = 0;
  datagramsOut = 0;
  udpSessions = 0;

  /** Counts an accepted, routed client connection until it closes. */
  track(client: net.Socket): void {
    this.connections++;
    this.open.add(client);
    client.once('close', () => {
      this.open.delete(client);
      this.closedBytesIn += client.bytesRead;
      this.closedBytesOut += client.bytesWritten;
    });
  }

  get busy(): boolean {
    return this.open.size > 0 || this.udpSessions > 0;
  }
}

type MetricValue = { labels: Record<string, string>; value: number };
type Read = (c: StreamRouteCounters) => number;

/**
 * Traffic per stream route. Byte counts come from the client socket's own `bytesRead` /
 * `bytesWritten` (Node keeps them anyway), so the data path adds no work per chunk; datagrams
 * bump a field of the counters object the session holds. Series are built only at scrape time,
 * like `RouteTraffic`, and summed across workers by the primary.
 */
export class StreamTraffic {
  private readonly routes = new Map<string, StreamRouteCounters>();

  /** The counters of a route, created on first use (hold on to them: no lookup per packet). */
  route(routeId: string): StreamRouteCounters {
    let counters = this.routes.get(routeId);
    if (counters === undefined) {
      counters = new StreamRouteCounters();
      this.routes.set(routeId, counters);
    }
    return counters;
  }

  /** Forgets deleted routes once nothing of theirs is still open. */
  retain(live: ReadonlySet<string>): void {
    for (const [id, counters] of this.routes) if (!live.has(id) && !counters.busy) this.routes.delete(id);
  }

  register(registry: client.Registry): void {
    const bytesIn: Read = (c) => c.closedBytesIn + sum(c.open, (s) => s.bytesRead);
    const bytesOut: Read = (c) => c.closedBytesOut + sum(c.open, (s) => s.bytesWritten);
    this.add(registry, 'sluice_stream_bytes_total', 'counter', 'Bytes through TCP/TLS stream routes: in = from clients, out = to clients', [
      ['in', bytesIn],
      ['out', bytesOut],
    ]);
    this.add(registry, 'sluice_stream_connections_total', 'counter', 'Client connections accepted and routed by TCP/TLS stream routes', [
      [undefined, (c) => c.connections],
    ]);
    this.add(registry, 'sluice_stream_connections_active', 'gauge', 'Open client connections of TCP/TLS stream routes', [[undefined, (c) => c.open.size]]);
    this.add(registry, 'sluice_stream_datagrams_total', 'counter', 'Datagrams through UDP stream routes: in = from clients, out = to clients', [
      ['in', (c) => c.datagramsIn],
      ['out', (c) => c.datagramsOut],
    ]);
    this.add(registry, 'sluice_stream_udp_sessions_active', 'gauge', 'Client sessions (client address ↔ upstream socket) of UDP stream routes', [
      [undefined, (c) => c.udpSessions],
    ]);
  }

  private add(registry: client.Registry, name: string, type: 'counter' | 'gauge', help: string, series: [direction: string | undefined, read: Read][]): void {
    const get = async () => {
      const values: MetricValue[] = [];
      for (const [route, counters] of this.routes) {
        for (const [direction, read] of series) values.push({ labels: direction === undefined ? { route } : { route, direction }, value: read(counters) });
      }
      return { name, help, type, values, aggregator: 'sum' };
    };
    registry.registerMetric({ name, help, type, aggregator: 'sum', get, reset: () => undefined } as unknown as client.Metric);
  }
}

function sum<T>(items: Iterable<T>, read: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += read(item);
  return total;
}
