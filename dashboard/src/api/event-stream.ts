import type { GatewayEvent } from './admin-types';
import { send } from './client';
import { parseSse } from './parse-sse';

type Listener = (event: GatewayEvent) => void;
type StateListener = (connected: boolean) => void;

const MIN_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;

/**
 * The one `GET /events` stream of the tab, shared by every page that listens. Read with
 * fetch streaming rather than EventSource, because the key must go in a header. Opened for
 * the first listener, closed after the last; reconnects with exponential backoff.
 */
export const eventStream = {
  listeners: new Set<Listener>(),
  stateListeners: new Set<StateListener>(),
  connected: false,
  controller: undefined as AbortController | undefined,

  subscribe(listener: Listener, onState?: StateListener): () => void {
    this.listeners.add(listener);
    if (onState) {
      this.stateListeners.add(onState);
      onState(this.connected);
    }
    if (!this.controller) this.start();
    return () => {
      this.listeners.delete(listener);
      if (onState) this.stateListeners.delete(onState);
      if (this.listeners.size === 0) this.stop();
    };
  },

  start() {
    const controller = new AbortController();
    this.controller = controller;
    void this.run(controller.signal);
  },

  stop() {
    this.controller?.abort();
    this.controller = undefined;
    this.setConnected(false);
  },

  setConnected(connected: boolean) {
    if (connected === this.connected) return;
    this.connected = connected;
    for (const l of this.stateListeners) l(connected);
  },

  async run(signal: AbortSignal) {
    let backoff = MIN_BACKOFF_MS;
    while (!signal.aborted) {
      try {
        const res = await send('GET', '/events', {}, signal);
        if (res.ok && res.body) {
          this.setConnected(true);
          backoff = MIN_BACKOFF_MS;
          await this.read(res.body, signal);
        } else {
          await res.body?.cancel();
        }
      } catch {
        // Aborted, refused or cut off: the loop decides whether to try again.
      }
      this.setConnected(false);
      if (signal.aborted) return;
      await delay(backoff, signal);
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    }
  },

  async read(body: ReadableStream<Uint8Array>, signal: AbortSignal) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const parse = parseSse();
    signal.addEventListener('abort', () => void reader.cancel().catch(() => undefined), { once: true });
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const message of parse(decoder.decode(value, { stream: true }))) {
        const event = decodeEvent(message.event, message.data);
        if (event) for (const l of this.listeners) l(event);
      }
    }
  },
};

/** A `change` or `dataplane` event, or undefined for anything else (heartbeats, unknown events, bad JSON). */
export function decodeEvent(name: string, data: string): GatewayEvent | undefined {
  if (name !== 'change' && name !== 'dataplane') return undefined;
  try {
    const payload = JSON.parse(data) as Record<string, unknown>;
    return { type: name, ...payload } as GatewayEvent;
  } catch {
    return undefined;
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
