import { X509Certificate } from 'node:crypto';
import type client from 'prom-client';
import type { Ssl } from '@sluice/model';
import type { Versioned } from '../config/types.js';

interface Expiry {
  modRevision: number;
  /** notAfter as Unix seconds; undefined when the PEM does not parse. */
  notAfter: number | undefined;
  snis: readonly string[];
}

/**
 * `sluice_ssl_certificate_expiry_timestamp_seconds{ssl, sni}`: when each ssl document's certificate
 * expires (its notAfter as Unix seconds), so an alert can fire weeks ahead. Parsing a
 * certificate costs ~0.1 ms, so expiries are kept per ssl id + modRevision across snapshots.
 */
export class CertificateExpiry {
  private expiries = new Map<string, Expiry>();
  private readonly help = 'When the certificate of an ssl document expires (notAfter), as Unix seconds';

  update(ssls: ReadonlyMap<string, Versioned<Ssl>>): void {
    const next = new Map<string, Expiry>();
    for (const [id, { doc, modRevision }] of ssls) {
      const known = this.expiries.get(id);
      next.set(id, known?.modRevision === modRevision ? known : { modRevision, notAfter: notAfterSeconds(doc.cert), snis: doc.snis });
    }
    this.expiries = next;
  }

  register(registry: client.Registry): void {
    const name = 'sluice_ssl_certificate_expiry_timestamp_seconds';
    const get = async () => {
      const values: { labels: Record<string, string>; value: number }[] = [];
      for (const [ssl, { notAfter, snis }] of this.expiries) {
        if (notAfter !== undefined) for (const sni of snis) values.push({ labels: { ssl, sni }, value: notAfter });
      }
      // Every worker reports the same documents: the primary keeps one value per series.
      return { name, help: this.help, type: 'gauge', values, aggregator: 'max' };
    };
    registry.registerMetric({ name, help: this.help, type: 'gauge', aggregator: 'max', get, reset: () => undefined } as unknown as client.Metric);
  }
}

function notAfterSeconds(pem: string): number | undefined {
  try {
    return Math.floor(Date.parse(new X509Certificate(pem).validTo) / 1000);
  } catch {
    return undefined;
  }
}
