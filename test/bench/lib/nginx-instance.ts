import fs from 'node:fs';
import path from 'node:path';
import type { BenchProcess, ProcessRegistry } from './process-registry.js';
import { waitFor } from '../../helpers/ports.js';

/** 64 bytes, the body every upstream response carries. */
export const UPSTREAM_BODY = 'sluice-bench-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLM';

/** Larger response bodies the nginx upstream serves (path → bytes), for the body-size rows of section (a). */
export const LARGE_BODIES: Readonly<Record<string, number>> = { '/16k': 16 * 1024, '/256k': 256 * 1024 };

/**
 * The nginx upstream: answers every request itself, 1 worker, keep-alive. With `bodiesDir`, it
 * also serves the LARGE_BODIES from files written there (sendfile).
 */
export function upstreamServerConfig(port: number, bodiesDir?: string): string {
  let large = '';
  if (bodiesDir !== undefined) {
    fs.mkdirSync(bodiesDir, { recursive: true, mode: 0o755 });
    // nginx's worker runs as an unprivileged user (nobody) when started as root: it must be able
    // to reach the files through the bench's private temp dir (search permission only).
    fs.chmodSync(path.dirname(bodiesDir), 0o711);
    fs.chmodSync(bodiesDir, 0o755);
    for (const [route, bytes] of Object.entries(LARGE_BODIES)) {
      const file = path.join(bodiesDir, `${route.slice(1)}.bin`);
      fs.writeFileSync(file, Buffer.alloc(bytes, 'b'), { mode: 0o644 });
      large += `\n    location = ${route} { alias ${file}; }`;
    }
  }
  return `server {
    listen 127.0.0.1:${port};
    location / { return 200 "${UPSTREAM_BODY}"; }${large}
  }`;
}

/** nginx as the reference proxy: HTTP with a keep-alive pool (PERFORMANCE.md), and WebSocket on /ws. */
export function referenceProxyConfig(port: number, httpUpstreamPort: number, wsUpstreamPort: number): string {
  return `upstream http_backend {
    server 127.0.0.1:${httpUpstreamPort};
    keepalive 256;
    keepalive_requests 1000000;
  }
  upstream ws_backend { server 127.0.0.1:${wsUpstreamPort}; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://http_backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
    location /ws {
      proxy_pass http://ws_backend;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_read_timeout 3600s;
    }
  }`;
}

/** What differs between the bench's nginx instances; the rest of nginx.conf is shared. */
export interface NginxConfigParts {
  /** Lines before `worker_processes` (e.g. `load_module`). */
  modules?: string;
  /** Blocks between `events` and `http` (e.g. `stream {}`). */
  blocks?: string;
  /** The body of the http block (upstreams, servers). */
  http: string;
}

/**
 * Starts a private nginx (1 worker) with its own prefix dir holding config, pid and logs, so the
 * system nginx is never touched, and resolves once `ready()` says it serves.
 */
export async function launchNginx(
  registry: ProcessRegistry,
  name: string,
  dir: string,
  cpu: number,
  parts: NginxConfigParts,
  ready: () => Promise<boolean>,
  readyWhat: string,
): Promise<BenchProcess> {
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  const config = `${parts.modules ?? ''}worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 4096; }
${parts.blocks ?? ''}
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
  ${parts.http}
}
`;
  const configPath = path.join(dir, 'nginx.conf');
  fs.writeFileSync(configPath, config);
  const proc = registry.spawn(name, 'nginx', ['-p', dir, '-c', configPath, '-g', 'daemon off;'], { cpu });
  const failed = proc.exited.then((code) => {
    throw new Error(`${name} exited (${code}): ${proc.stderrTail()} ${readLog(dir)}`);
  });
  failed.catch(() => undefined);
  await Promise.race([waitFor(ready, 10_000, readyWhat), failed]);
  return proc;
}

/** An HTTP nginx whose `servers` are the body of the http block; ready once `/` answers 200 on `port`. */
export function startNginx(registry: ProcessRegistry, name: string, dir: string, cpu: number, servers: string, port: number): Promise<BenchProcess> {
  return launchNginx(
    registry,
    name,
    dir,
    cpu,
    { http: servers },
    async () => (await fetch(`http://127.0.0.1:${port}/`)).status === 200,
    `${name} on port ${port}`,
  );
}

function readLog(dir: string): string {
  try {
    return fs.readFileSync(path.join(dir, 'logs', 'error.log'), 'utf8').slice(-1500);
  } catch {
    return '';
  }
}
