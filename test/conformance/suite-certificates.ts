// The TLS Secrets and CA ConfigMaps the upstream suite mints in code before any test
// (cases.json `suite_setup.programmatic_resources`), minted here with openssl.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject } from '../helpers/kube-api-server.js';

interface Pem {
  cert: string;
  key: string;
}

function mint(dir: string) {
  let n = 0;
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const file = (ext: string) => path.join(dir, `f${n}.${ext}`);
  const newKey = () => {
    n++;
    ssl('genrsa', '-traditional', '-out', file('key'), '2048');
    return file('key');
  };
  const read = (keyFile: string, certFile: string): Pem => ({ cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8') });
  const extFile = (lines: string[]) => {
    fs.writeFileSync(file('ext'), lines.join('\n') + '\n');
    return file('ext');
  };
  const ca = (): Pem => {
    const key = newKey();
    ssl(
      'req',
      '-x509',
      '-new',
      '-key',
      key,
      '-days',
      '365',
      '-subj',
      '/O=Kubernetes Gateway API/CN=gatewayapi',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
      '-out',
      file('crt'),
    );
    return read(key, file('crt'));
  };
  const selfSigned = (sans: string[]): Pem => {
    const key = newKey();
    ssl(
      'req',
      '-x509',
      '-new',
      '-key',
      key,
      '-days',
      '365',
      '-subj',
      '/O=Acme Co/CN=default',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign',
      '-addext',
      'extendedKeyUsage=serverAuth',
      '-addext',
      `subjectAltName=${sans.join(',')}`,
      '-out',
      file('crt'),
    );
    return read(key, file('crt'));
  };
  const signed = (issuer: Pem, usage: 'serverAuth' | 'clientAuth', sans: string[]): Pem => {
    const key = newKey();
    const csr = file('csr');
    ssl('req', '-new', '-key', key, '-subj', '/O=Acme Co/CN=default', '-out', csr);
    fs.writeFileSync(file('ca.crt'), issuer.cert);
    fs.writeFileSync(file('ca.key'), issuer.key);
    const ext = extFile([
      'keyUsage=critical,digitalSignature,keyEncipherment',
      `extendedKeyUsage=${usage}`,
      ...(sans.length ? [`subjectAltName=${sans.join(',')}`] : []),
    ]);
    ssl('x509', '-req', '-in', csr, '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '365', '-extfile', ext, '-out', file('crt'));
    return read(key, file('crt'));
  };
  return { ca, selfSigned, signed };
}

const tlsSecret = (namespace: string, name: string, pem: Pem): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { namespace, name },
  type: 'kubernetes.io/tls',
  data: { 'tls.crt': Buffer.from(pem.cert).toString('base64'), 'tls.key': Buffer.from(pem.key).toString('base64') },
});
const caConfigMap = (namespace: string, name: string, pem: Pem): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { namespace, name },
  data: { 'ca.crt': pem.cert },
});

/** Every programmatic resource of suite_setup, in the order the suite creates them. */
export function suiteCertificates(): KubeObject[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-conformance-pki-'));
  try {
    const m = mint(dir);
    const infra = 'gateway-conformance-infra';
    const ca1 = m.ca();
    const ca2 = m.ca();
    const ca3 = m.ca();
    const passthrough = m.signed(ca3, 'serverAuth', ['DNS:abc.example.com']);
    return [
      tlsSecret('gateway-conformance-web-backend', 'certificate', m.selfSigned(['URI:*'])),
      tlsSecret(infra, 'tls-validity-checks-certificate', m.selfSigned(['URI:*', 'DNS:*.org', 'DNS:*.wildcard.org'])),
      caConfigMap('gateway-conformance-web-backend', 'web-backend-cm', m.ca()),
      caConfigMap(infra, 'tls-validity-checks-ca-certificate', ca1),
      tlsSecret(infra, 'tls-validity-checks-client-certificate', m.signed(ca1, 'clientAuth', [])),
      caConfigMap(infra, 'tls-validity-checks-per-port-ca-certificate', ca2),
      tlsSecret(infra, 'tls-validity-checks-per-port-client-certificate', m.signed(ca2, 'clientAuth', [])),
      caConfigMap(infra, 'tls-checks-ca-certificate', ca3),
      tlsSecret(
        infra,
        'tls-checks-certificate',
        m.signed(ca3, 'serverAuth', ['DNS:abc.example.com', 'URI:spiffe://abc.example.com/test-identity', 'DNS:other.example.com']),
      ),
      tlsSecret(infra, 'tls-checks-client-certificate', m.signed(ca3, 'clientAuth', [])),
      tlsSecret(infra, 'tls-passthrough-checks-certificate', passthrough),
      tlsSecret('gateway-conformance-app-backend', 'tls-passthrough-checks-certificate', passthrough),
      tlsSecret(infra, 'tls-terminate-checks-certificate', m.signed(ca3, 'serverAuth', ['DNS:tls.example.com'])),
      caConfigMap(infra, 'mismatch-ca-certificate', m.ca()),
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
