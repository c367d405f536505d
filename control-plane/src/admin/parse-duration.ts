import { GatewayError } from '@sluice/model';

/** `500ms`, `5s`, `1m` or a bare number of seconds, in milliseconds. */
export function parseDuration(text: string, name: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new GatewayError('GW_ERR_BAD_REQUEST', { detail: `${name} must look like 500ms, 5s or 1m, not ${JSON.stringify(text)}` });
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return Math.round(unit === 'ms' ? value : unit === 's' ? value * 1000 : value * 60_000);
}
