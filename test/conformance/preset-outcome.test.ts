import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../helpers/kube-api-server.js';
import { loadCasesFile, type ConformanceTest } from './cases-file.js';
import { judgeStatus, type StatusContext } from './judges/status-judge.js';
import { presetOutcome } from './preset-outcome.js';

const cases = loadCasesFile();
const test = (name: string) => cases.tests.find((t) => t.name === name) as ConformanceTest;
const all = new Set(Object.keys(cases.features));

describe('tests decided without running them', () => {
  it('reports a test that returns early upstream given a feature we support as passed, and runs it otherwise', () => {
    expect(presetOutcome(test('TLSRouteListenerMixedTerminationNotSupported'), all)).toMatchObject({
      result: 'PASS',
      reason: expect.stringMatching(/TLSRouteModeMixed/),
    });
    expect(presetOutcome(test('TLSRouteListenerTerminateNotSupported'), all)?.result).toBe('PASS');
    const withoutMixed = new Set([...all].filter((f) => f !== 'TLSRouteModeMixed'));
    expect(presetOutcome(test('TLSRouteListenerMixedTerminationNotSupported'), withoutMixed)).toBeUndefined();
    // UDPRouteNotAllowedByListeners returns early unless TLSRoute is supported.
    expect(presetOutcome(test('UDPRouteNotAllowedByListeners'), all)).toBeUndefined();
    expect(presetOutcome(test('UDPRouteNotAllowedByListeners'), new Set([...all].filter((f) => f !== 'TLSRoute')))?.result).toBe('PASS');
  });

  it('runs the ListenerSet tests and GatewayInfrastructure (checked on listener documents); skips nothing else of these', () => {
    for (const t of cases.tests.filter((x) => x.features.includes('ListenerSet'))) expect(presetOutcome(t, all), t.name).toBeUndefined();
    expect(presetOutcome(test('GatewayInfrastructure'), all)).toBeUndefined();
  });

  it('keeps skipped cases under 5 % of all cases', () => {
    const skipped = cases.tests.filter((t) => presetOutcome(t, all)?.result === 'SKIP').reduce((n, t) => n + t.cases.length, 0);
    const total = cases.tests.reduce((n, t) => n + t.cases.length, 0);
    expect(skipped / total).toBeLessThan(0.05);
  });
});

describe('infrastructure_metadata_propagated on listener documents', () => {
  const expectation = test('GatewayInfrastructure').status_expectations.find((e) => e.check === 'infrastructure_metadata_propagated')!;
  const gateway = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'gateway-with-infrastructure-metadata', namespace: 'gateway-conformance-infra' },
    spec: { infrastructure: { annotations: { key1: 'value1' }, labels: { key2: 'value2' } } },
  } as KubeObject;
  const ctx = (listenerDocuments?: StatusContext['listenerDocuments']): StatusContext => ({
    get: (kind, name) => (kind === 'Gateway' && name === gateway.metadata.name ? gateway : undefined),
    list: () => [],
    controllerName: 'sluice.dev/gateway-controller',
    usableAddress: '127.0.1.250',
    generationBefore: () => undefined,
    ...(listenerDocuments ? { listenerDocuments } : {}),
  });
  const ref = { namespace: 'gateway-conformance-infra', name: 'gateway-with-infrastructure-metadata' };

  it('passes when every listener document of the Gateway carries every label and annotation', () => {
    expect(judgeStatus(expectation, ctx([{ gateway: ref, labels: { key2: 'value2' }, annotations: { key1: 'value1' } }]))).toBeUndefined();
  });

  it('fails on a missing document, label or annotation', () => {
    expect(judgeStatus(expectation, ctx())).toMatch(/cannot read/);
    expect(judgeStatus(expectation, ctx([]))).toMatch(/no listener document/);
    expect(judgeStatus(expectation, ctx([{ gateway: ref, labels: { key2: 'value2' } }]))).toMatch(/annotations key1=value1/);
    expect(
      judgeStatus(
        expectation,
        ctx([
          { gateway: ref, labels: { key2: 'value2' }, annotations: { key1: 'value1' } },
          { gateway: ref, annotations: { key1: 'value1' } },
        ]),
      ),
    ).toMatch(/labels key2=value2/);
  });
});
