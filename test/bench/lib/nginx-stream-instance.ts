import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { waitFor } from '../../helpers/ports.js';
import type { BenchProcess, ProcessRegistry } from './process-registry.js';

/** Debian builds nginx's stream proxy as a dynamic module (package libnginx-mod-stream). */
export const NGINX_STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

export interface NginxStreamTlsPorts {
  /** TCP proxy to the echo upstream, TCP proxy to the source upstream, UDP proxy to the UDP echo. */
  stream?: { tcpEcho: number; tcpSource: number; udpEcho: number; upstreams: { tcpEcho: number; tcpSource: number; udpEcho: number } };
  /** TLS-terminating HTTP proxy with a keep-alive pool to `https.upstream`. */
  https: { port: number; upstream: number; cert: string; key: string };
}

/**
 * nginx (1 worker) as the reference stream and TLS proxy: a `stream {}` block when the stream
 * module is installed, and an `ssl` server proxying HTTP. Its own prefix dir, never the system's.
 */
export async function startNginxStreamTls(registry: ProcessRegistry, dir: string, cpu: number, ports: NginxStreamTlsPorts): Promise<BenchProcess> {
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  const { stream, https } = ports;
  const streamBlock = stream
    ? `stream {
  server { listen 127.0.0.1:${stream.tcpEcho}; proxy_pass 127.0.0.1:${stream.upstreams.tcpEcho}; tcp_nodelay on; }
  server { listen 127.0.0.1:${stream.tcpSource}; proxy_pass 127.0.0.1:${stream.upstreams.tcpSource}; }
  server { listen 127.0.0.1:${stream.udpEcho} udp; proxy_pass 127.0.0.1:${stream.upstreams.udpEcho}; proxy_timeout 30s; }
}`
    : '';
  const config = `${stream ? `load_module ${NGINX_STREAM_MODULE};\n` : ''}worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 4096; }
${streamBlock}
http {
  access_log off;
  default_type text/plain;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  upstream https_backend { server 127.0.0.1:${https.upstream}; keepalive 256; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:${https.port} ssl;
    ssl_certificate ${https.cert};
    ssl_certificate_key ${https.key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache off;
    ssl_session_tickets off;
    location / { proxy_pass http://https_backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
`;
  const configPath = path.join(dir, 'nginx.conf');
  fs.writeFileSync(configPath, config);
  const proc = registry.spawn('nginx stream/ssl proxy', 'nginx', ['-p', dir, '-c', configPath, '-g', 'daemon off;'], { cpu });
  const failed = proc.exited.then((code) => {
    throw new Error(`nginx stream/ssl proxy exited (${code}): ${proc.stderrTail()}`);
  });
  failed.catch(() => undefined);
  await Promise.race([waitFor(() => tcpOpen(https.port), 10_000, `nginx on port ${https.port}`), failed]);
  return proc;
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
