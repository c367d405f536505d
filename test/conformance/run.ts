// `npm run conformance`: the Gateway API conformance suite (../shared/conformance/gateway-api)
// against real Sluice processes on an emulated cluster. Flags:
//   --only NAME[,NAME]   run only these tests        --no-build   skip `tsc -b` first
// Environment: CONFORMANCE_TIMEOUT_SECONDS (MaxTimeToConsistency cap, default 30),
// CONFORMANCE_BUDGET_SECONDS (whole run, default 900: waits shrink to fit when much fails).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import type { KubeObject } from '../helpers/kube-api-server.js';
import { loadCasesFile } from './cases-file.js';
import { startCluster } from './cluster.js';
import { judgeStatus } from './judges/status-judge.js';
import { manifestObjects, type PlaceholderValues } from './manifest-objects.js';
import { objectStore } from './object-store.js';
import { choosePortMap, formatPortMap, listenerPorts } from './port-map.js';
import { presetOutcome } from './preset-outcome.js';
import { conformanceReport, type TestResult } from './report.js';
import { suiteCertificates } from './suite-certificates.js';
import { applyObjects, runTest, type TestEnvironment } from './test-runner.js';
import { workloads as startWorkloads } from './workloads.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const resultsDir = path.join(here, 'results');

const args = process.argv.slice(2);
const onlyArg = args.includes('--only') ? args[args.indexOf('--only') + 1] : args.find((a) => a.startsWith('--only='))?.slice(7);
const only = onlyArg
  ? new Set(
      onlyArg
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
  : undefined;
const timeoutS = Number(process.env.CONFORMANCE_TIMEOUT_SECONDS ?? 30);
const budgetS = Number(process.env.CONFORMANCE_BUDGET_SECONDS ?? 900);

const log = (line: string) => console.log(line);

async function main() {
  const started = Date.now();
  const cases = loadCasesFile();
  // Every feature of the catalog: the runner claims what the suite's tests then verify.
  const supportedFeatures = Object.keys(cases.features);
  const supported = new Set(supportedFeatures);
  if (!args.includes('--no-build')) {
    log('conformance: building (tsc -b model control-plane data-plane)…');
    try {
      execFileSync('npx', ['tsc', '-b', 'model', 'control-plane', 'data-plane'], { cwd: repoRoot, stdio: 'pipe' });
    } catch (err) {
      // tsc still emits with type errors; the processes may run anyway, so go on and say so.
      log(`warning: build reported errors:\n${String((err as { stdout?: Buffer }).stdout ?? '').slice(0, 2000)}`);
    }
  }
  const tests = cases.tests.filter((t) => !only || only.has(t.name));
  if (only) for (const n of only) if (!cases.tests.some((t) => t.name === n)) log(`warning: no test named ${n}`);

  // CONFORMANCE_NET=n moves every address to 127.n.x.y, so several runs can share one machine.
  const net = Number(process.env.CONFORMANCE_NET ?? 0);
  const gatewayNet = `127.${net}.1`;
  const placeholders: PlaceholderValues = {
    gatewayClassName: 'sluice',
    controllerName: 'sluice.dev/gateway-controller',
    usableAddress: `${gatewayNet}.250`,
    unusableAddress: '192.0.2.1',
  };
  const allManifestObjects = [cases.base_manifests, ...cases.tests.flatMap((t) => [...t.manifests, ...t.actions.map((a) => a.manifest ?? '')])].flatMap((y) =>
    manifestObjects(y, placeholders),
  );
  const portMap = await choosePortMap(listenerPorts(allManifestObjects), [`${gatewayNet}.1`, `${gatewayNet}.2`, `${gatewayNet}.3`, `${gatewayNet}.250`]);
  log(`conformance: port map ${formatPortMap(portMap)}`);

  const cluster = await startCluster({ controllerName: placeholders.controllerName, addressPool: `${gatewayNet}.0/24`, portMap: formatPortMap(portMap), log });
  const store = objectStore(cluster.api);
  const workloads = startWorkloads(store, (m) => log(`warning: ${m}`));
  const results: TestResult[] = [];
  let remainingTests = tests.length;
  const waitMs = () => {
    const left = budgetS * 1000 - (Date.now() - started);
    return Math.min(timeoutS * 1000, Math.max(5000, left / Math.max(1, remainingTests)));
  };
  const mapPort = (p: number) => (cluster.missingFlags.includes('--port-map') ? p : (portMap.get(p) ?? p));
  const env: TestEnvironment = {
    store,
    workloads,
    placeholders,
    statusTimeoutMs: waitMs,
    listenerDocuments: () => cluster.listenerDocuments(),
    caseContext: {
      store,
      pods: () => workloads.pods(),
      mapPort,
      timeoutMs: waitMs,
      requestTimeoutMs: (cases.suite_defaults.timeouts_s.RequestTimeout ?? 10) * 1000,
      consecutiveSuccesses: cases.suite_defaults.RequiredConsecutiveSuccesses,
    },
  };

  let exitCode = 0;
  try {
    // The class under test, the suite's certificates, then the base manifests (README §6).
    store.apply({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: placeholders.gatewayClassName },
      spec: { controllerName: placeholders.controllerName },
    } as KubeObject);
    for (const o of suiteCertificates()) store.apply(o);
    await applyObjects(env, cases.base_manifests);
    const readyDeadline = Date.now() + Math.min(timeoutS, cases.suite_defaults.timeouts_s.NamespacesMustBeReady ?? 300) * 1000;
    const readiness = {
      check: 'namespaces_ready',
      step: 0,
      namespaces: ['gateway-conformance-infra', 'gateway-conformance-app-backend', 'gateway-conformance-web-backend'],
    };
    let notReady: string | undefined;
    for (;;) {
      notReady = judgeStatus(readiness, {
        get: store.get,
        list: store.list,
        controllerName: placeholders.controllerName,
        usableAddress: placeholders.usableAddress,
        generationBefore: () => undefined,
      });
      if (!notReady || Date.now() > readyDeadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    log(
      notReady
        ? `warning: base Gateways not ready after ${timeoutS} s (${notReady}); running the tests anyway`
        : `conformance: base Gateways ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    for (const test of tests) {
      const t0 = Date.now();
      const outcome = presetOutcome(test, supported) ?? (await runTest(test, env));
      remainingTests--;
      const seconds = Math.round((Date.now() - t0) / 100) / 10;
      results.push({ name: test.name, result: outcome.result, reason: outcome.reason, seconds });
      const where = 'failedAt' in outcome && outcome.failedAt ? ` at ${outcome.failedAt}` : '';
      log(`${outcome.result} ${test.name}${test.provisional ? ' (provisional)' : ''} ${seconds}s${outcome.reason ? `${where}: ${outcome.reason}` : ''}`);
    }
    if (!only) for (const m of cases.out_of_scope_tests) log(`SKIP ${m.name} (mesh, not counted): out of scope: ${m.reason}`);
  } catch (err) {
    log(`conformance: runner error: ${(err as Error).stack}`);
    exitCode = 2;
  } finally {
    await workloads.stopAll();
    const logs = await cluster.stop();
    fs.mkdirSync(resultsDir, { recursive: true });
    fs.writeFileSync(path.join(resultsDir, 'processes.log'), logs);
  }

  const version = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version as string;
  const report = conformanceReport(cases, tests, results, { version, supportedFeatures, date: new Date() });
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, 'report.yaml'), YAML.stringify(report));
  const n = (r: string) => results.filter((x) => x.result === r).length;
  log(`conformance: report written to ${path.relative(repoRoot, path.join(resultsDir, 'report.yaml'))} (${Math.round((Date.now() - started) / 1000)} s)`);
  log(`conformance: ${n('PASS')} passed, ${n('FAIL')} failed, ${n('SKIP')} skipped`);
  process.exit(exitCode || (n('FAIL') > 0 ? 1 : 0));
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
