// echo-basic's gRPC mode (README §7.2): GrpcEcho.Echo and EchoTwo answer EchoResponse{assertions};
// EchoThree is left unregistered so the server answers UNIMPLEMENTED, as upstream.
import * as grpc from '@grpc/grpc-js';
import type { PodIdentity } from './echo-body.js';
import { encodeMessage, type ProtoField } from './protobuf.js';
import type { Closer } from './listen.js';

export const grpcEchoService = 'gateway_api_conformance.echo_basic.grpcecho.GrpcEcho';

const raw = { serialize: (b: Buffer) => b, deserialize: (b: Buffer) => b };
const method = (name: string): grpc.MethodDefinition<Buffer, Buffer> => ({
  path: `/${grpcEchoService}/${name}`,
  requestStream: false,
  responseStream: false,
  requestSerialize: raw.serialize,
  requestDeserialize: raw.deserialize,
  responseSerialize: raw.serialize,
  responseDeserialize: raw.deserialize,
});

/** Echo and EchoTwo only: the server's definition. */
export const grpcEchoServerDefinition: grpc.ServiceDefinition = { Echo: method('Echo'), EchoTwo: method('EchoTwo') };
/** All three methods: the client's definition. */
export const grpcEchoClientDefinition: grpc.ServiceDefinition = { ...grpcEchoServerDefinition, EchoThree: method('EchoThree') };

/** EchoResponse{ assertions = 1 { fully_qualified_method = 1, headers = 2, authority = 3, context = 4 } }. */
export function encodeEchoResponse(fullMethod: string, headers: [string, string][], authority: string, id: PodIdentity): Buffer {
  const assertions: ProtoField[] = [
    { field: 1, value: fullMethod },
    ...headers.map(([key, value]) => ({
      field: 2,
      value: [
        { field: 1, value: key },
        { field: 2, value: value },
      ],
    })),
    { field: 3, value: authority },
    {
      field: 4,
      value: [
        { field: 1, value: id.namespace },
        { field: 2, value: id.ingress },
        { field: 3, value: id.service },
        { field: 4, value: id.pod },
      ],
    },
  ];
  return encodeMessage([{ field: 1, value: assertions }]);
}

export async function startGrpcEcho(opts: {
  ip: string;
  id: PodIdentity;
  tls?: { cert: string; key: string };
  port?: number;
  tlsPort?: number;
}): Promise<Closer[]> {
  const handler = (name: string) => (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
    const headers: [string, string][] = [];
    for (const [k, v] of Object.entries(call.metadata.getMap())) headers.push([k, Buffer.isBuffer(v) ? v.toString('base64') : String(v)]);
    const authority = (call as unknown as { getHost?: () => string }).getHost?.() ?? '';
    cb(null, encodeEchoResponse(`/${grpcEchoService}/${name}`, headers, authority, opts.id));
  };
  const impl = { Echo: handler('Echo'), EchoTwo: handler('EchoTwo') };
  const bind = async (port: number, creds: grpc.ServerCredentials): Promise<Closer> => {
    const server = new grpc.Server();
    server.addService(grpcEchoServerDefinition, impl);
    await new Promise<number>((resolve, reject) => server.bindAsync(`${opts.ip}:${port}`, creds, (err, p) => (err ? reject(err) : resolve(p))));
    return { close: () => new Promise<void>((done) => server.tryShutdown(() => done())).then(() => server.forceShutdown()) };
  };
  const closers = [await bind(opts.port ?? 3000, grpc.ServerCredentials.createInsecure())];
  if (opts.tls)
    closers.push(
      await bind(
        opts.tlsPort ?? 8443,
        grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(opts.tls.cert), private_key: Buffer.from(opts.tls.key) }]),
      ),
    );
  return closers;
}
