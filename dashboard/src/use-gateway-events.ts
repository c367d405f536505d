import { useEffect, useRef, useState } from 'react';
import type { GatewayEvent } from './api/admin-types';
import { eventStream } from './api/event-stream';

/** Calls `onEvent` for every event of the shared `/events` stream; returns whether it is connected. */
export function useGatewayEvents(onEvent: (event: GatewayEvent) => void): boolean {
  const latest = useRef(onEvent);
  latest.current = onEvent;
  const [connected, setConnected] = useState(eventStream.connected);
  useEffect(() => eventStream.subscribe((e) => latest.current(e), setConnected), []);
  return connected;
}
