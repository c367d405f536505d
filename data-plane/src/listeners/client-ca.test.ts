import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { Listener } from '@sluice/model';
import { describe, expect, it } from 'vitest';
import type { Versioned } from '../config/types.js';
import { compileListenerTable } from '../compile/listener-table.js';
import type { SniCertificate } from '../compile/sni-index.js';
import { clientCaProblem, withClientCa } from './client-ca.js';

const fixture = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
const ca = fixture('client-ca.crt');
const serverOptions = { cert: fixture('server.crt'), key: fixture('server.key') };
const server: SniCertificate = {
  id: 's1',
  context: tls.createSecureContext(serverOptions),
  options: serverOptions,
  requireClientCert: false,
  requestClientCert: false,
};
const gateway = { namespace: 'ns', name: 'gw' };

let revision = 0;
function compile(...docs: Array<Omit<Listener, 'gateway'>>) {
  const rejected = new Map<string, string>();
  const listeners = new Map<string, Versioned<Listener>>(
    docs.map((d) => [d.id, { doc: { gateway, ...d } as Listener, modRevision: ++revision, createRevision: revision }]),
  );
  const table = compileListenerTable(
    { listeners, routes: [], streamRoutes: new Map(), certificates: new Map([['s1', { cert: server, snis: ['*'] }]]), backendsFor: () => [] },
    rejected,
  );
  const listener = (id: string) => [...table.sockets.values()].flatMap((s) => s.listeners).find((l) => l.id === id);
  return { rejected, listener };
}

describe('clientCaProblem', () => {
  it('accepts a PEM bundle whose every certificate parses', () => {
    expect(clientCaProblem(ca)).toBeUndefined();
    expect(clientCaProblem(`${ca}\n${ca}`)).toBeUndefined();
  });

  it('names what is wrong with a bundle node:tls would silently ignore', () => {
    expect(clientCaProblem('-----BEGIN nothing')).toBe('tls.clientCa holds no PEM certificate');
    expect(clientCaProblem(`${ca}-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n`)).toMatch(
      /^tls.clientCa certificate 2 does not load/,
    );
  });
});

describe('withClientCa', () => {
  it('adds the CA to the certificate context and says whether a client certificate is required', () => {
    const required = withClientCa(server, ca, 'on');
    expect(required).toMatchObject({ id: 's1', requireClientCert: true, requestClientCert: true, options: { ...serverOptions, ca } });
    expect(required.context).not.toBe(server.context);
    expect(withClientCa(server, ca, 'optional')).toMatchObject({ requireClientCert: false, requestClientCert: true });
  });

  it('reuses the context built for the same certificate and CA (snapshots repeat them)', () => {
    expect(withClientCa(server, ca, 'on')).toBe(withClientCa(server, ca, 'on'));
    expect(withClientCa(server, ca, 'on')).not.toBe(withClientCa(server, ca, 'optional'));
  });
});

describe('compileListenerTable: client certificates', () => {
  const https = (id: string, tlsExtra: Partial<NonNullable<Listener['tls']>>, hostname?: string): Omit<Listener, 'gateway'> => ({
    id,
    port: 443,
    protocol: 'HTTPS',
    ...(hostname ? { hostname } : {}),
    tls: { mode: 'Terminate', sslIds: ['s1'], ...tlsExtra },
  });

  it('gives a listener with clientCa its policy and certificates that verify clients', () => {
    const { rejected, listener } = compile(
      https('strict', { clientCa: ca }),
      https('lenient', { clientCa: ca, clientVerify: 'optional' }, 'lenient.test'),
      https('open', {}, 'open.test'),
    );
    expect(rejected).toEqual(new Map());
    expect(listener('strict')!.clientAuth).toEqual({ ca, verify: 'on' });
    expect(listener('strict')!.certs!.lookup('any.test')).toMatchObject({ requireClientCert: true, options: { ca } });
    expect(listener('lenient')!.clientAuth).toEqual({ ca, verify: 'optional' });
    expect(listener('lenient')!.certs!.lookup('lenient.test')).toMatchObject({ requireClientCert: false, requestClientCert: true });
    expect(listener('open')!.clientAuth).toBeUndefined();
    expect(listener('open')!.certs!.lookup('open.test')).toBe(server);
  });

  it('refuses, rather than opens unchecked, a listener whose client validation cannot work', () => {
    const { rejected, listener } = compile(
      https('bad-ca', { clientCa: '-----BEGIN CERTIFICATE-----\nbm9wZQ==\n-----END CERTIFICATE-----\n' }, 'a.test'),
      https('verify-only', { clientVerify: 'on' }, 'b.test'),
      { id: 'pass', port: 8443, protocol: 'TLS', tls: { mode: 'Passthrough', clientCa: ca } },
    );
    expect(rejected.get('listeners/bad-ca')).toMatch(/^tls.clientCa certificate 1 does not load/);
    expect(rejected.get('listeners/verify-only')).toBe('tls.clientVerify needs tls.clientCa');
    expect(rejected.get('listeners/pass')).toMatch(/^tls.clientCa needs tls.mode Terminate/);
    expect([listener('bad-ca'), listener('verify-only'), listener('pass')]).toEqual([undefined, undefined, undefined]);
  });
});
