import { STATUS_CODES } from 'node:http';
import { httpDate } from './http-date.js';

/** How the body after a response head is delimited. */
export const Framing = { None: 0, Length: 1, Chunked: 2, UntilClose: 3 } as const;
export type Framing = (typeof Framing)[keyof typeof Framing];

/** Where `buildResponseHead` leaves its decisions (the request object itself: no allocation). */
export interface HeadDecision {
  framing: Framing;
  keepAlive: boolean;
}

/**
 * The status line and headers as ONE latin1 string, deciding the framing on the way: the
 * upstream's Content-Length when present, else chunked for HTTP/1.1 and close-delimited for
 * HTTP/1.0; no body at all for HEAD, 1xx, 204 and 304. A `Connection: close` pair in `headers`
 * (drain, errors) turns keep-alive off. `Date` is added only when the upstream sent none. A
 * 101 keeps the `Connection: Upgrade` given: the connection is switching, not staying HTTP.
 */
export function buildResponseHead(status: number, headers: string[], noBody: boolean, http11: boolean, out: HeadDecision): string {
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
  let hasLength = false;
  let hasDate = false;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i];
    const value = headers[i + 1];
    const n = name.length;
    if (n === 10 && name.toLowerCase() === 'connection') {
      if (value.toLowerCase() === 'close') out.keepAlive = false;
      // The front writes its own, except on 101, whose `Connection: Upgrade` IS the switch.
      if (status !== 101) continue;
    }
    if (n === 14 && name.toLowerCase() === 'content-length') hasLength = true;
    else if (n === 4 && name.toLowerCase() === 'date') hasDate = true;
    head += `${name}: ${value}\r\n`;
  }
  if (!hasDate) head += `Date: ${httpDate()}\r\n`;
  if (noBody || status < 200 || status === 204 || status === 304) out.framing = Framing.None;
  else if (hasLength) out.framing = Framing.Length;
  else if (http11) {
    out.framing = Framing.Chunked;
    head += 'Transfer-Encoding: chunked\r\n';
  } else {
    out.framing = Framing.UntilClose;
    out.keepAlive = false;
  }
  if (status === 101) return head + '\r\n';
  return head + (out.keepAlive ? 'Connection: keep-alive\r\n\r\n' : 'Connection: close\r\n\r\n');
}
