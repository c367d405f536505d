import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { GatewayError, type SslInfo, type ValidationIssue } from '@sluice/model';
import type { Document } from '../store/etcd-repo.js';

const DAY_MS = 86_400_000;

/** The certificate must parse and the key must be its key; the schema only checks PEM markers. */
export function sslPairIssues(doc: Document): ValidationIssue[] {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(String(doc.cert));
  } catch (err) {
    return [{ path: '/cert', message: `is not a valid PEM certificate (${(err as Error).message})` }];
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(String(doc.key));
  } catch (err) {
    return [{ path: '/key', message: `is not a valid PEM private key (${(err as Error).message})` }];
  }
  if (!cert.checkPrivateKey(key)) return [{ path: '/key', message: 'does not match the certificate in /cert' }];
  return [];
}

/** What the dashboard shows about a stored certificate (the first one of the chain). */
export function sslInfo(doc: Document, now = Date.now()): SslInfo {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(String(doc.cert));
  } catch (err) {
    throw new GatewayError('GW_ERR_BAD_REQUEST', { detail: `the stored certificate does not parse: ${(err as Error).message}` });
  }
  const validTo = new Date(cert.validTo);
  return {
    snis: Array.isArray(doc.snis) ? (doc.snis as string[]) : [],
    subject: cert.subject,
    issuer: cert.issuer,
    validFrom: new Date(cert.validFrom).toISOString(),
    validTo: validTo.toISOString(),
    daysLeft: Math.floor((validTo.getTime() - now) / DAY_MS),
    fingerprint256: cert.fingerprint256,
  };
}
