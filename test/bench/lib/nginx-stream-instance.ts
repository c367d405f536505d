import net from 'node:net';
import { launchNginx } from './nginx-instance.js';
import type { BenchProcess, ProcessRegistry } from './process-registry.js';

/** Debian builds nginx's stream proxy as a dynamic module (package libnginx-mod-stream). */
export const NGINX_STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

export interface NginxStreamTlsPorts {
  /** TCP proxy to the echo upstream, TCP proxy to the source upstream, UDP proxy to the UDP echo. */
  stream?: { tcpEcho: number; tcpSource: number; udpEcho: number; upstreams: { tcpEcho: number; tcpSource: number; udpEcho: number } };
  /**
   * TLS-terminating HTTP proxy (HTTP/1.1 and HTTP/2) with a keep-alive pool to `https.upstream`:
   * the ECDSA certificate by default, the RSA one for SNI rsa.bench.test, session tickets as
   * nginx's defaults have them (the resumed-handshake row offers them, the others never do).
   */
  https: { port: number; upstream: number; cert: string; key: string; rsaCert: string; rsaKey: string };
}

/**
 * nginx (1 worker) as the reference stream and TLS proxy: a `stream {}` block when the stream
 * module is installed, and an `ssl` server proxying HTTP. Its own prefix dir, never the system's.
 */
export function startNginxStreamTls(registry: ProcessRegistry, dir: string, cpu: number, ports: NginxStreamTlsPorts): Promise<BenchProcess> {
  const { stream, https } = ports;
  const streamBlock = stream
    ? `stream {
  server { listen 127.0.0.1:${stream.tcpEcho}; proxy_pass 127.0.0.1:${stream.upstreams.tcpEcho}; tcp_nodelay on; }
  server { listen 127.0.0.1:${stream.tcpSource}; proxy_pass 127.0.0.1:${stream.upstreams.tcpSource}; }
  server { listen 127.0.0.1:${stream.udpEcho} udp; proxy_pass 127.0.0.1:${stream.upstreams.udpEcho}; proxy_timeout 30s; }
}`
    : '';
  const proxy = 'location / { proxy_pass http://https_backend; proxy_http_version 1.1; proxy_set_header Connection ""; }';
  // One virtual server per certificate, session handling as nginx ships it (TLS 1.3 tickets
  // issued, as Sluice does): the full-handshake loads never offer a ticket, the resumption
  // load always does, so both servers do the same work per handshake.
  const tlsServer = (serverName: string, cert: string, key: string) => `server {
    listen 127.0.0.1:${https.port} ssl http2;
    server_name ${serverName};
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ${proxy}
  }`;
  const http = `upstream https_backend { server 127.0.0.1:${https.upstream}; keepalive 256; keepalive_requests 1000000; }
  ${tlsServer('bench.test', https.cert, https.key)}
  ${tlsServer('rsa.bench.test', https.rsaCert, https.rsaKey)}`;
  return launchNginx(
    registry,
    'nginx stream/ssl proxy',
    dir,
    cpu,
    { modules: stream ? `load_module ${NGINX_STREAM_MODULE};\n` : '', blocks: streamBlock, http },
    () => tcpOpen(https.port),
    `nginx on port ${https.port}`,
  );
}

export function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
