import zlib from 'node:zlib';
import type { ClientSide } from './front/client-side.js';
import type { UpstreamLeg } from './upstream-leg.js';

export interface ResponseCompressor {
  write(chunk: Buffer): void;
  end(): void;
  clientDrained(): void;
}

/**
 * Compresses a response body on its way to the client (gzip/brotli plugins), keeping
 * back-pressure across three parties: the upstream leg pauses while the compressor is
 * full, and the compressor pauses while the client is slow. Only responses a plugin chose
 * to compress pay for these objects.
 */
export function createResponseCompressor(choice: { encoding: 'gzip' | 'br'; level: number }, client: ClientSide, upstream: UpstreamLeg): ResponseCompressor {
  const z =
    choice.encoding === 'br'
      ? zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: choice.level } })
      : zlib.createGzip({ level: choice.level });
  z.on('data', (out: Buffer) => {
    if (!client.write(out)) z.pause();
  });
  z.on('drain', () => upstream.resumeResponse());
  z.on('end', () => client.end());
  z.on('error', () => client.destroy());
  return {
    write(chunk) {
      if (!z.write(chunk)) upstream.pauseResponse();
    },
    end() {
      z.end();
    },
    clientDrained() {
      z.resume();
    },
  };
}
