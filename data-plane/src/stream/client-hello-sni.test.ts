import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { peekClientHelloSni } from './client-hello-sni.js';

/** The first flight a real Node TLS client sends, captured in memory (no socket). */
function captureClientHello(servername?: string): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const wire = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk);
        done();
        resolve(Buffer.concat(chunks));
        setImmediate(() => client.destroy());
      },
    });
    // Destroyed on the next turn: the first write happens inside tls.connect().
    const client = tls.connect({ socket: wire, servername, rejectUnauthorized: false });
    client.on('error', () => undefined);
  });
}

/** Re-frames a single-record ClientHello into records of at most `size` bytes each. */
function fragmentRecords(hello: Buffer, size: number): Buffer {
  const body = hello.subarray(5, 5 + hello.readUInt16BE(3));
  const out: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) {
    const part = body.subarray(i, i + size);
    const header = Buffer.from([0x16, 0x03, 0x01, 0, 0]);
    header.writeUInt16BE(part.length, 3);
    out.push(header, part);
  }
  return Buffer.concat(out);
}

describe('peekClientHelloSni', () => {
  it('reads the server name of a real ClientHello, lower-cased', async () => {
    const hello = await captureClientHello('API.Example.com');
    expect(peekClientHelloSni(hello)).toEqual({ kind: 'hello', serverName: 'api.example.com' });
  });

  it('reports no server name when the client sent none', async () => {
    const hello = await captureClientHello(undefined);
    expect(peekClientHelloSni(hello)).toEqual({ kind: 'hello', serverName: undefined });
  });

  it('asks for more bytes at every cut of a ClientHello split across TCP segments', async () => {
    const hello = await captureClientHello('a.example.com');
    for (let cut = 0; cut < hello.length; cut += 7) expect(peekClientHelloSni(hello.subarray(0, cut)).kind).toBe('incomplete');
  });

  it('reassembles a ClientHello fragmented over several TLS records', async () => {
    const hello = await captureClientHello('frag.example.com');
    const fragmented = fragmentRecords(hello, 50);
    expect(fragmented.length).toBeGreaterThan(hello.length);
    expect(peekClientHelloSni(fragmented)).toEqual({ kind: 'hello', serverName: 'frag.example.com' });
    expect(peekClientHelloSni(fragmented.subarray(0, fragmented.length - 1)).kind).toBe('incomplete');
  });

  it('refuses plain text, a non-ClientHello handshake and an oversized ClientHello', () => {
    expect(peekClientHelloSni(Buffer.from('GET / HTTP/1.1\r\n\r\n')).kind).toBe('invalid');
    expect(peekClientHelloSni(Buffer.from([0x16, 3, 1, 0, 4, 2, 0, 0, 0])).kind).toBe('invalid');
    expect(peekClientHelloSni(Buffer.from([0x16, 3, 1, 0, 4, 1, 0xff, 0xff, 0xff]))).toEqual({ kind: 'invalid', reason: 'ClientHello too large' });
  });

  it('refuses a truncated extension block without reading past the buffer', async () => {
    const hello = await captureClientHello('x.example.com');
    const broken = Buffer.from(hello);
    // Claim a longer handshake body than the extensions provide by corrupting the extensions length.
    const bodyStart = 9;
    let p = bodyStart + 2 + 32;
    p += 1 + broken[p];
    p += 2 + broken.readUInt16BE(p);
    p += 1 + broken[p];
    broken.writeUInt16BE(0xffff, p);
    expect(peekClientHelloSni(broken)).toEqual({ kind: 'invalid', reason: 'malformed ClientHello' });
  });
});
