// The upstream ConformanceReport (apiVersion gateway.networking.k8s.io/v1) built from our results.
import type { CasesFile, ConformanceTest } from './cases-file.js';

export type Result = 'PASS' | 'FAIL' | 'SKIP';
export interface TestResult {
  name: string;
  result: Result;
  reason?: string;
  seconds: number;
}

export const PROFILES = ['GATEWAY-HTTP', 'GATEWAY-TLS', 'GATEWAY-GRPC', 'GATEWAY-TCP', 'GATEWAY-UDP'] as const;

/** The profiles a test counts in (every feature it needs belongs there) and its level there. */
export function profilesOf(test: ConformanceTest, features: CasesFile['features']): Map<string, 'core' | 'extended'> {
  const out = new Map<string, 'core' | 'extended'>();
  for (const profile of PROFILES) {
    let level: 'core' | 'extended' = 'core';
    let inProfile = true;
    for (const f of test.features) {
      const entry = features[f]?.gateway_profiles.find((p) => p.profile === profile);
      if (!entry) {
        inProfile = false;
        break;
      }
      if (entry.level !== 'core') level = 'extended';
    }
    if (inProfile) out.set(profile, level);
  }
  return out;
}

const stats = (rs: TestResult[]) => ({
  Passed: rs.filter((r) => r.result === 'PASS').length,
  Failed: rs.filter((r) => r.result === 'FAIL').length,
  Skipped: rs.filter((r) => r.result === 'SKIP').length,
});
const outcome = (rs: TestResult[]) => {
  const s = stats(rs);
  return s.Failed > 0 ? 'failure' : s.Skipped > 0 ? 'partial' : 'success';
};

export function conformanceReport(
  cases: CasesFile,
  tests: ConformanceTest[],
  results: TestResult[],
  opts: { version: string; supportedFeatures: string[]; date: Date },
) {
  const byName = new Map(results.map((r) => [r.name, r]));
  const profiles = PROFILES.map((profile) => {
    const levelResults = (level: 'core' | 'extended') =>
      tests.filter((t) => !t.provisional && profilesOf(t, cases.features).get(profile) === level && byName.has(t.name)).map((t) => byName.get(t.name)!);
    const core = levelResults('core');
    const extended = levelResults('extended');
    const profileFeatures = Object.entries(cases.features)
      .filter(([, f]) => f.gateway_profiles.some((p) => p.profile === profile && p.level === 'extended'))
      .map(([name]) => name)
      .sort();
    const section = (rs: TestResult[]) => ({
      result: outcome(rs),
      statistics: stats(rs),
      ...(rs.some((r) => r.result === 'SKIP') ? { skippedTests: rs.filter((r) => r.result === 'SKIP').map((r) => r.name) } : {}),
      ...(rs.some((r) => r.result === 'FAIL') ? { failedTests: rs.filter((r) => r.result === 'FAIL').map((r) => r.name) } : {}),
    });
    return {
      name: profile,
      core: section(core),
      extended: {
        ...section(extended),
        supportedFeatures: profileFeatures.filter((f) => opts.supportedFeatures.includes(f)),
        unsupportedFeatures: profileFeatures.filter((f) => !opts.supportedFeatures.includes(f)),
      },
    };
  });
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'ConformanceReport',
    date: opts.date.toISOString(),
    gatewayAPIVersion: cases.source.version,
    gatewayAPIChannel: 'experimental',
    implementation: {
      organization: 'sluice',
      project: 'sluice',
      url: 'https://github.com/sluice/sluice',
      version: opts.version,
      contact: ['@sluice/maintainers'],
    },
    mode: 'default',
    profiles,
    succeededProvisionalTests: tests.filter((t) => t.provisional && byName.get(t.name)?.result === 'PASS').map((t) => t.name),
    // Not part of the upstream schema: every test's outcome with its first failure or skip reason.
    results: results.map((r) => ({ name: r.name, result: r.result, ...(r.reason ? { reason: r.reason } : {}), seconds: r.seconds })),
  };
}
