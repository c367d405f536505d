import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { SharedCounters } from '../cluster/shared-counters.js';
import type { CountRequest } from '../cluster/count-messages.js';
import { InstanceWindowCounter, instanceWindowCounter, useInstanceWindowCounter, type PrimaryChannel } from './instance-window-counter.js';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';

/**
 * A worker's IPC channel wired to a real SharedCounters, answering asynchronously as the
 * primary does. (The real cluster IPC is proven end to end in test/e2e/limit-count-instance.)
 */
class LoopbackChannel extends EventEmitter implements PrimaryChannel {
  connected = true;
  answering = true;
  readonly sent: CountRequest[] = [];

  constructor(readonly counters = new SharedCounters()) {
    super();
  }

  send(message: CountRequest, callback: (err: Error | null) => void): boolean {
    // Serialised like the JSON IPC channel, so nothing relies on shared objects.
    const copy = JSON.parse(JSON.stringify(message)) as CountRequest;
    this.sent.push(copy);
    setImmediate(() => {
      callback(null);
      // A primary that does not answer (too late, lost reply) still counted the hits.
      const reply = this.counters.answer(copy);
      if (this.answering) this.emit('message', JSON.parse(JSON.stringify(reply)));
    });
    return true;
  }
}

function warnings() {
  const lines: object[] = [];
  return { lines, log: { warn: (obj: object) => void lines.push(obj), error: () => undefined } };
}

afterEach(() => useInstanceWindowCounter(1, undefined, undefined));

describe('InstanceWindowCounter', () => {
  it('sends all hits of one event-loop turn in one message and resolves each from the reply', async () => {
    const channel = new LoopbackChannel();
    const counter = new InstanceWindowCounter(channel, undefined);
    const results = await Promise.all([counter.hit('a', 60_000), counter.hit('a', 60_000), counter.hit('b', 60_000), counter.hit('a', 60_000)]);
    expect(channel.sent).toHaveLength(1);
    expect(channel.sent[0]!.hits).toEqual(['a', 60_000, 'a', 60_000, 'b', 60_000, 'a', 60_000]);
    expect(results.map((w) => w?.used)).toEqual([1, 2, 1, 3]);
    expect(results[0]!.resetAt).toBeGreaterThan(Date.now() + 59_000);
    // The next turn is the next batch, and continues the same window.
    expect((await counter.hit('a', 60_000))?.used).toBe(4);
    expect(channel.sent).toHaveLength(2);
    expect(counter.pendingBatches).toBe(0);
  });

  it('keeps one batch out at a time: hits of later turns wait for its reply and leave together', async () => {
    const channel = new LoopbackChannel();
    const counter = new InstanceWindowCounter(channel, undefined);
    const first = counter.hit('k', 60_000);
    await new Promise((r) => setImmediate(r)); // the first batch left
    expect(channel.sent).toHaveLength(1);
    const later = [counter.hit('k', 60_000)];
    await new Promise((r) => setImmediate(r));
    later.push(counter.hit('k', 60_000), counter.hit('k', 60_000));
    const all = await Promise.all([first, ...later]);
    expect(all.map((w) => w?.used)).toEqual([1, 2, 3, 4]);
    expect(channel.sent.map((m) => m.hits.length / 2)).toEqual([1, 3]);
  });

  it('two workers sharing one primary count together', async () => {
    const counters = new SharedCounters();
    const w1 = new InstanceWindowCounter(new LoopbackChannel(counters), undefined);
    const w2 = new InstanceWindowCounter(new LoopbackChannel(counters), undefined);
    const used = await Promise.all([w1.hit('k', 1000), w2.hit('k', 1000), w1.hit('k', 1000), w2.hit('k', 1000)]);
    expect(used.map((w) => w?.used).sort()).toEqual([1, 2, 3, 4]);
  });

  it('fails open on a primary that does not answer in time, logs once, and recovers', async () => {
    const channel = new LoopbackChannel();
    channel.answering = false;
    const { lines, log } = warnings();
    const counter = new InstanceWindowCounter(channel, log, 50);
    expect(await Promise.all([counter.hit('k', 1000), counter.hit('k', 1000)])).toEqual([undefined, undefined]);
    expect(await counter.hit('k', 1000)).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(counter.pendingBatches).toBe(0);
    channel.answering = true;
    // The primary counted the batches it did not answer in time: the count stays exact.
    expect((await counter.hit('k', 1000))?.used).toBe(4);
    channel.answering = false;
    expect(await counter.hit('k', 1000)).toBeUndefined();
    expect(lines).toHaveLength(2);
  });

  it('fails open at once without a channel, and for batches in flight when the channel closes', async () => {
    const channel = new LoopbackChannel();
    channel.answering = false;
    const { lines, log } = warnings();
    const counter = new InstanceWindowCounter(channel, log, 60_000);
    const inFlight = counter.hit('k', 1000);
    await new Promise((r) => setImmediate(r));
    expect(counter.pendingBatches).toBe(1);
    channel.connected = false;
    channel.emit('disconnect');
    expect(await inFlight).toBeUndefined();
    expect(await counter.hit('k', 1000)).toBeUndefined();
    expect(channel.sent).toHaveLength(1);
    expect(lines).toHaveLength(1);
  });

  it('fails open when the send itself fails', async () => {
    const channel = new LoopbackChannel();
    channel.send = (_m, callback) => {
      setImmediate(() => callback(new Error('channel closed')));
      return false;
    };
    const { lines, log } = warnings();
    const counter = new InstanceWindowCounter(channel, log, 60_000);
    expect(await counter.hit('k', 1000)).toBeUndefined();
    expect(lines[0]).toMatchObject({ reason: expect.stringContaining('channel closed') });
  });
});

describe('limit-count policy local on an instance with several workers', () => {
  it('is counted by the primary for all workers, with the quota headers', async () => {
    const counters = new SharedCounters();
    const plugins = { 'limit-count': { count: 2, timeWindow: 60 } };
    // Worker 1 compiles its chain, then worker 2 (each module state is per process).
    useInstanceWindowCounter(2, undefined, new LoopbackChannel(counters));
    const chain1 = chainFor(plugins);
    useInstanceWindowCounter(2, undefined, new LoopbackChannel(counters));
    const chain2 = chainFor(plugins);
    const first = await exchange(chain1, makeContext({ clientAddress: '10.0.0.1' }));
    expect(first.status).toBe(200);
    expect(first.headers['x-ratelimit-remaining']).toBe('1');
    expect(Number(first.headers['x-ratelimit-reset'])).toBeGreaterThan(55);
    expect((await exchange(chain2, makeContext({ clientAddress: '10.0.0.1' }))).headers['x-ratelimit-remaining']).toBe('0');
    const refused = await exchange(chain1, makeContext({ clientAddress: '10.0.0.1' }));
    expect(refused.status).toBe(429);
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    expect((await exchange(chain2, makeContext({ clientAddress: '10.0.0.2' }))).status).toBe(200);
  });

  it('stays in-process and synchronous with one worker or outside a cluster', () => {
    useInstanceWindowCounter(1, undefined, new LoopbackChannel());
    expect(instanceWindowCounter()).toBeUndefined();
    useInstanceWindowCounter(4, undefined, undefined); // not under a cluster: no channel
    expect(instanceWindowCounter()).toBeUndefined();
    const chain = chainFor({ 'limit-count': { count: 1, timeWindow: 60 } });
    // No Promise: the proxy's fast path.
    expect(chain.runRequest(makeContext())).toBeUndefined();
    expect(chain.runRequest(makeContext())).toMatchObject({ status: 429 });
  });
});
