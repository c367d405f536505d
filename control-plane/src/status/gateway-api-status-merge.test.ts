import { describe, expect, it } from 'vitest';
import { hasEntriesOf, kubeTime, mergeGatewayApiStatus, sameStatus } from './gateway-api-status-merge.js';

const US = 'sluice.dev/gateway-controller';
const THEM = 'example.net/other-controller';
const T0 = '2026-01-01T00:00:00Z';
const NOW = '2026-02-02T10:00:00Z';
const gw = { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'default', name: 'web' };
const cond = (type: string, status: 'True' | 'False', reason: string, observedGeneration = 1) => ({
  type,
  status,
  reason,
  message: reason,
  observedGeneration,
});

describe('mergeGatewayApiStatus', () => {
  it('keeps lastTransitionTime while status and reason stay, even when the message or generation moves on', () => {
    const current = { conditions: [{ ...cond('Accepted', 'True', 'Accepted'), lastTransitionTime: T0 }] };
    const merged = mergeGatewayApiStatus(
      'GatewayClass',
      current,
      { conditions: [{ ...cond('Accepted', 'True', 'Accepted', 2), message: 'new words' }] },
      US,
      NOW,
    );
    expect(merged.conditions).toEqual([{ ...cond('Accepted', 'True', 'Accepted', 2), message: 'new words', lastTransitionTime: T0 }]);
  });

  it('sets lastTransitionTime to now when the status or the reason changed, or the condition is new', () => {
    const current = {
      conditions: [
        { ...cond('Accepted', 'True', 'Accepted'), lastTransitionTime: T0 },
        { ...cond('Programmed', 'False', 'Pending'), lastTransitionTime: T0 },
      ],
    };
    const desired = {
      conditions: [cond('Accepted', 'False', 'Invalid'), cond('Programmed', 'False', 'Invalid'), cond('ResolvedRefs', 'True', 'ResolvedRefs')],
    };
    const merged = mergeGatewayApiStatus('Gateway', current, desired, US, NOW) as { conditions: { type: string; lastTransitionTime: string }[] };
    expect(merged.conditions.map((c) => [c.type, c.lastTransitionTime])).toEqual([
      ['Accepted', NOW],
      ['Programmed', NOW],
      ['ResolvedRefs', NOW],
    ]);
  });

  it('merges listener conditions by listener name', () => {
    const current = {
      conditions: [],
      listeners: [{ name: 'http', attachedRoutes: 0, conditions: [{ ...cond('Programmed', 'True', 'Programmed'), lastTransitionTime: T0 }] }],
    };
    const desired = {
      conditions: [],
      listeners: [
        { name: 'https', attachedRoutes: 0, conditions: [cond('Programmed', 'True', 'Programmed')] },
        { name: 'http', attachedRoutes: 1, conditions: [cond('Programmed', 'True', 'Programmed')] },
      ],
    };
    const merged = mergeGatewayApiStatus('Gateway', current, desired, US, NOW) as {
      listeners: { name: string; attachedRoutes: number; conditions: { lastTransitionTime: string }[] }[];
    };
    expect(merged.listeners.map((l) => [l.name, l.attachedRoutes, l.conditions[0]!.lastTransitionTime])).toEqual([
      ['https', 0, NOW],
      ['http', 1, T0],
    ]);
  });

  it("keeps other controllers' route parents and replaces only ours", () => {
    const theirs = {
      parentRef: { ...gw, name: 'their-gw' },
      controllerName: THEM,
      conditions: [{ ...cond('Accepted', 'True', 'Accepted'), lastTransitionTime: T0 }],
    };
    const oldOurs = {
      parentRef: gw,
      controllerName: US,
      conditions: [
        { ...cond('Accepted', 'True', 'Accepted'), lastTransitionTime: T0 },
        { ...cond('ResolvedRefs', 'True', 'ResolvedRefs'), lastTransitionTime: T0 },
      ],
    };
    const current = { parents: [oldOurs, theirs] };
    const desired = {
      parents: [
        { parentRef: gw, controllerName: US, conditions: [cond('Accepted', 'True', 'Accepted', 2), cond('ResolvedRefs', 'False', 'BackendNotFound', 2)] },
      ],
    };
    const merged = mergeGatewayApiStatus('HTTPRoute', current, desired, US, NOW);
    expect(merged.parents).toEqual([
      theirs,
      {
        parentRef: gw,
        controllerName: US,
        conditions: [
          { ...cond('Accepted', 'True', 'Accepted', 2), lastTransitionTime: T0 },
          { ...cond('ResolvedRefs', 'False', 'BackendNotFound', 2), lastTransitionTime: NOW },
        ],
      },
    ]);
  });

  it('matches our old parent entry by the whole parentRef (sectionName), with group and kind defaulted', () => {
    const current = {
      parents: [
        {
          parentRef: { name: 'web', namespace: 'default', sectionName: 'a' },
          controllerName: US,
          conditions: [{ ...cond('Accepted', 'True', 'Accepted'), lastTransitionTime: T0 }],
        },
      ],
    };
    const desired = {
      parents: [
        { parentRef: { ...gw, sectionName: 'a' }, controllerName: US, conditions: [cond('Accepted', 'True', 'Accepted')] },
        { parentRef: { ...gw, sectionName: 'b' }, controllerName: US, conditions: [cond('Accepted', 'True', 'Accepted')] },
      ],
    };
    const merged = mergeGatewayApiStatus('GRPCRoute', current, desired, US, NOW) as { parents: { conditions: { lastTransitionTime: string }[] }[] };
    expect(merged.parents.map((p) => p.conditions[0]!.lastTransitionTime)).toEqual([T0, NOW]);
  });

  it('drops our parents from a route no longer attached to our Gateways, keeping the others', () => {
    const theirs = { parentRef: gw, controllerName: THEM, conditions: [] };
    const current = { parents: [{ parentRef: gw, controllerName: US, conditions: [] }, theirs] };
    expect(hasEntriesOf('TCPRoute', current, US)).toBe(true);
    const merged = mergeGatewayApiStatus('TCPRoute', current, {}, US, NOW);
    expect(merged).toEqual({ parents: [theirs] });
    expect(hasEntriesOf('TCPRoute', merged, US)).toBe(false);
  });

  it('keeps BackendTLSPolicy ancestors of other controllers', () => {
    const theirs = { ancestorRef: gw, controllerName: THEM, conditions: [] };
    const merged = mergeGatewayApiStatus(
      'BackendTLSPolicy',
      { ancestors: [theirs] },
      { ancestors: [{ ancestorRef: gw, controllerName: US, conditions: [cond('Accepted', 'True', 'Accepted')] }] },
      US,
      NOW,
    );
    expect((merged.ancestors as unknown[]).length).toBe(2);
    expect((merged.ancestors as unknown[])[0]).toEqual(theirs);
  });

  it('is a fixed point: merging the desired status over its own result changes nothing, so no second write', () => {
    const desired = {
      parents: [{ parentRef: gw, controllerName: US, conditions: [cond('Accepted', 'True', 'Accepted'), cond('ResolvedRefs', 'True', 'ResolvedRefs')] }],
    };
    const once = mergeGatewayApiStatus('HTTPRoute', undefined, desired, US, NOW);
    expect(sameStatus(undefined, once)).toBe(false);
    const twice = mergeGatewayApiStatus('HTTPRoute', once, desired, US, '2030-01-01T00:00:00Z');
    expect(sameStatus(once, twice)).toBe(true);
  });

  it('writes times as the API server stores them, to the second', () => {
    expect(kubeTime(new Date('2026-03-04T05:06:07.891Z'))).toBe('2026-03-04T05:06:07Z');
  });
});
