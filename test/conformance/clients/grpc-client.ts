// One unary GrpcEcho call over plaintext HTTP/2 with @grpc/grpc-js, decoding the echoed assertions.
import * as grpc from '@grpc/grpc-js';
import { grpcEchoClientDefinition } from '../echo/grpc-echo.js';
import { decodeMessage, fieldOf } from '../echo/protobuf.js';

export interface GrpcReply {
  code: string;
  /** The error's details (grpc-js says e.g. "No connection established" for transport errors). */
  details?: string;
  fullMethod?: string;
  namespace?: string;
  pod?: string;
}

const codeNames = Object.fromEntries(
  Object.entries(grpc.status)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [v as number, k]),
);
/** grpc-js names codes SNAKE_CASE; the suite uses Go's CamelCase (NOT_FOUND → NotFound, OK → OK). */
export const grpcCodeName = (code: number) => {
  const name = codeNames[code] ?? String(code);
  return name === 'OK' ? 'OK' : name.toLowerCase().replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase());
};

export function decodeEchoResponse(buf: Buffer): Omit<GrpcReply, 'code'> {
  const assertions = fieldOf(buf, 1);
  if (!assertions) return {};
  const context = fieldOf(assertions, 4);
  return {
    fullMethod: fieldOf(assertions, 1)?.toString('utf8') ?? '',
    namespace: context ? (fieldOf(context, 1)?.toString('utf8') ?? '') : '',
    pod: context ? (fieldOf(context, 4)?.toString('utf8') ?? '') : '',
  };
}

export function callGrpcEcho(opts: {
  address: string;
  port: number;
  authority: string;
  method: string;
  metadata: Record<string, string>;
  timeoutMs: number;
}): Promise<GrpcReply> {
  const client = new grpc.Client(`${opts.address}:${opts.port}`, grpc.credentials.createInsecure(), { 'grpc.default_authority': opts.authority });
  const def = grpcEchoClientDefinition[opts.method];
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(opts.metadata ?? {})) md.set(k, v);
  return new Promise<GrpcReply>((resolve) => {
    client.makeUnaryRequest(
      def.path,
      def.requestSerialize,
      def.responseDeserialize as (b: Buffer) => Buffer,
      Buffer.alloc(0),
      md,
      { deadline: Date.now() + opts.timeoutMs },
      (err, value) => {
        client.close();
        if (err) return resolve({ code: grpcCodeName(err.code ?? grpc.status.UNKNOWN), details: err.details });
        try {
          resolve({ code: 'OK', ...decodeEchoResponse(value as Buffer) });
        } catch {
          resolve({ code: 'OK' });
        }
      },
    );
  });
}
export { decodeMessage };
