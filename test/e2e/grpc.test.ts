// gRPC through the gateway: a real @grpc/grpc-js server and client, h2c from the client,
// HTTP/2 to an upstream with `scheme: grpc`; unary and bidirectional streaming calls with
// metadata and trailers intact, upstream errors passed through, the gateway's own as statuses.
import * as grpc from '@grpc/grpc-js';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';

const raw = { serialize: (b: Buffer) => b, deserialize: (b: Buffer) => b };
const service: grpc.ServiceDefinition = {
  Echo: {
    path: '/test.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: raw.serialize,
    requestDeserialize: raw.deserialize,
    responseSerialize: raw.serialize,
    responseDeserialize: raw.deserialize,
  },
  Chat: {
    path: '/test.Echo/Chat',
    requestStream: true,
    responseStream: true,
    requestSerialize: raw.serialize,
    requestDeserialize: raw.deserialize,
    responseSerialize: raw.serialize,
    responseDeserialize: raw.deserialize,
  },
  Missing: {
    path: '/test.Echo/Missing',
    requestStream: false,
    responseStream: false,
    requestSerialize: raw.serialize,
    requestDeserialize: raw.deserialize,
    responseSerialize: raw.serialize,
    responseDeserialize: raw.deserialize,
  },
};

let etcd: TestEtcd;
let dp: GatewayProcess;
let server: grpc.Server;
let client: grpc.Client;
let deadClient: grpc.Client;

beforeAll(async () => {
  server = new grpc.Server();
  server.addService(service, {
    Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      const md = new grpc.Metadata();
      md.set('x-initial', 'hello');
      call.sendMetadata(md);
      const trailer = new grpc.Metadata();
      trailer.set('x-trailer', `saw ${call.metadata.get('x-client')[0] ?? 'nothing'}`);
      cb(null, Buffer.concat([Buffer.from('echo:'), call.request]), trailer);
    },
    Chat: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
      call.on('data', (m: Buffer) => call.write(Buffer.concat([Buffer.from('re:'), m])));
      call.on('end', () => call.end());
    },
    Missing: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb({ code: grpc.status.NOT_FOUND, details: 'no such thing' }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  etcd = await startEtcd();
  const prefix = etcd.prefix('grpc');
  const c = new Etcd3({ hosts: etcd.endpoint });
  const deadPort = await freePort();
  await c.put(`${prefix}/upstreams/grpc`).value(JSON.stringify({ id: 'grpc', scheme: 'grpc', nodes: [{ host: '127.0.0.1', port }] }));
  await c.put(`${prefix}/upstreams/dead`).value(JSON.stringify({ id: 'dead', scheme: 'grpc', nodes: [{ host: '127.0.0.1', port: deadPort }] }));
  await c
    .put(`${prefix}/routes/grpc`)
    .value(JSON.stringify({ id: 'grpc', match: { paths: [{ type: 'prefix', value: '/test.Echo' }] }, backends: [{ upstreamId: 'grpc' }] }));
  await c.put(`${prefix}/routes/dead`).value(JSON.stringify({ id: 'dead', match: { hosts: ['dead.test'] }, backends: [{ upstreamId: 'dead' }] }));
  c.close();
  dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1 });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${dp.ports.http}/test.Echo/Echo`)).status !== 404, 15_000, 'grpc route');
  client = new grpc.Client(`127.0.0.1:${dp.ports.http}`, grpc.credentials.createInsecure());
  deadClient = new grpc.Client(`127.0.0.1:${dp.ports.http}`, grpc.credentials.createInsecure(), { 'grpc.default_authority': 'dead.test' });
});

afterAll(async () => {
  client?.close();
  deadClient?.close();
  await dp?.stop();
  server?.forceShutdown();
  await etcd?.stop();
});

function unary(c: grpc.Client, method: string, body: string, md = new grpc.Metadata()) {
  return new Promise<{ err: grpc.ServiceError | null; value?: Buffer; initial?: grpc.Metadata; status?: grpc.StatusObject }>((resolve) => {
    let initial: grpc.Metadata | undefined;
    let status: grpc.StatusObject | undefined;
    let result: { err: grpc.ServiceError | null; value?: Buffer } | undefined;
    const done = () => {
      if (result && status) resolve({ ...result, initial, status });
    };
    const call = c.makeUnaryRequest(
      `/test.Echo/${method}`,
      raw.serialize,
      raw.deserialize,
      Buffer.from(body),
      md,
      { deadline: Date.now() + 5000 },
      (err, value) => {
        result = { err, value };
        done();
      },
    );
    call.on('metadata', (m) => (initial = m));
    call.on('status', (s) => {
      status = s;
      done();
    });
  });
}

describe('gRPC through the gateway', () => {
  it('carries a unary call with its metadata and trailers', async () => {
    const md = new grpc.Metadata();
    md.set('x-client', 'sluice-test');
    const r = await unary(client, 'Echo', 'ping', md);
    expect(r.err).toBeNull();
    expect(r.value!.toString()).toBe('echo:ping');
    expect(r.initial!.get('x-initial')).toEqual(['hello']);
    expect(r.status!.code).toBe(grpc.status.OK);
    expect(r.status!.metadata.get('x-trailer')).toEqual(['saw sluice-test']);
  });

  it('streams both ways on a bidirectional call', async () => {
    const call = client.makeBidiStreamRequest('/test.Echo/Chat', raw.serialize, raw.deserialize, new grpc.Metadata(), { deadline: Date.now() + 5000 });
    const got: string[] = [];
    const finished = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    call.on('data', (m: Buffer) => {
      got.push(m.toString());
      if (got.length < 5) call.write(Buffer.from(`m${got.length}`));
      else call.end();
    });
    call.write(Buffer.from('m0'));
    const status = await finished;
    expect(status.code).toBe(grpc.status.OK);
    expect(got).toEqual(['re:m0', 're:m1', 're:m2', 're:m3', 're:m4']);
  });

  it('passes an upstream error status through', async () => {
    const r = await unary(client, 'Missing', 'x');
    expect(r.err?.code).toBe(grpc.status.NOT_FOUND);
    expect(r.err?.details).toBe('no such thing');
  });

  it('answers UNAVAILABLE when the upstream cannot be reached', async () => {
    const r = await unary(deadClient, 'Echo', 'x');
    expect(r.err?.code).toBe(grpc.status.UNAVAILABLE);
  });
});
