import type { ConformanceTest } from './cases-file.js';

/**
 * The outcome of a test decided without running it, or undefined when it runs. A test that
 * returns early upstream given what we support is reported PASSED, as the upstream suite
 * reports it; only what cannot run here is skipped, with its reason.
 */
export function presetOutcome(test: ConformanceTest, supported: ReadonlySet<string>): { result: 'PASS' | 'SKIP'; reason: string } | undefined {
  // Generated per-Gateway metadata is checked on our listener documents instead (status-judge.ts).
  const substituted = test.status_expectations.some((e) => e.check === 'infrastructure_metadata_propagated');
  if (!substituted && test.environment_requirements?.some((r) => /implementation-generated/.test(r)))
    return { result: 'SKIP', reason: `needs ${test.environment_requirements.join('; ')}: Sluice does not provision per-Gateway workloads` };
  const early = test.runtime_skip;
  if (early?.implementation_supports_feature && supported.has(early.implementation_supports_feature))
    return {
      result: 'PASS',
      reason: `returns early upstream (passes without checking) when ${early.implementation_supports_feature} is supported, which Sluice supports`,
    };
  if (early?.implementation_lacks_feature && !supported.has(early.implementation_lacks_feature))
    return {
      result: 'PASS',
      reason: `returns early upstream (passes without checking) unless ${early.implementation_lacks_feature} is supported, which Sluice does not support`,
    };
  return undefined;
}
