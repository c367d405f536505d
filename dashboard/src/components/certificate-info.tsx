import { adminApi } from '../api/admin-api';
import { useAsync } from '../use-async';

/** Days left under which a certificate is flagged: time to renew before clients see errors. */
export const EXPIRY_WARNING_DAYS = 30;

/** What the stored certificate says about itself (`/ssls/<id>/info`), with an expiry warning. */
export function CertificateInfo({ id, version }: { id: string; version: string | undefined }) {
  const { data, error } = useAsync(() => adminApi.sslInfo(id), [id, version]);
  return (
    <aside className="card" aria-label="Certificate">
      <h2>Certificate</h2>
      {error && <p className="muted">No certificate details: {error.message}</p>}
      {data && (
        <>
          {data.daysLeft < EXPIRY_WARNING_DAYS && (
            <p className="banner" role="alert" data-testid="expiry-warning">
              {data.daysLeft < 0 ? `Expired ${-data.daysLeft} days ago.` : `Expires in ${data.daysLeft} days: renew it.`}
            </p>
          )}
          <dl className="facts">
            <dt>SNIs</dt>
            <dd>{data.snis.join(', ')}</dd>
            <dt>Subject</dt>
            <dd>{data.subject}</dd>
            <dt>Issuer</dt>
            <dd>{data.issuer}</dd>
            <dt>Valid</dt>
            <dd>
              {new Date(data.validFrom).toLocaleDateString()} – {new Date(data.validTo).toLocaleDateString()}
            </dd>
            <dt>Days left</dt>
            <dd data-testid="days-left">{data.daysLeft}</dd>
            <dt>SHA-256</dt>
            <dd className="fingerprint">{data.fingerprint256}</dd>
          </dl>
        </>
      )}
    </aside>
  );
}
