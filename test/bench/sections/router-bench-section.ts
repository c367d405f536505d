import fs from 'node:fs';
import path from 'node:path';
import type { Log, SectionReport } from '../lib/bench-report.js';
import type { ProcessRegistry } from '../lib/process-registry.js';
import { REPO_ROOT } from '../lib/sluice-processes.js';

const SCRIPT = 'test/bench/router-bench.ts';
const TIMEOUT_MS = 180_000;

/** Runs the router bench (written separately) when it exists, and includes its output verbatim. */
export async function runRouterBench(registry: ProcessRegistry, log: Log): Promise<SectionReport> {
  const title = '### (d) Router: compile, match, memory';
  if (!fs.existsSync(path.join(REPO_ROOT, SCRIPT))) {
    return {
      markdown: `${title}\n\nnot run: ${SCRIPT} does not exist yet`,
      targets: [{ target: 'Router bench ran', result: `${SCRIPT} missing`, status: 'N/A' }],
    };
  }
  log(`Router bench: node --expose-gc --import tsx ${SCRIPT}`);
  const proc = registry.spawn('router bench', process.execPath, ['--expose-gc', '--import', 'tsx', SCRIPT], { cwd: REPO_ROOT });
  const timer = setTimeout(() => void registry.stop(proc), TIMEOUT_MS);
  const code = await proc.exited;
  clearTimeout(timer);
  const output = proc.stdout().trim();
  const failed = code !== 0;
  const markdown = [
    title,
    '',
    // Verbatim, fenced: the script prints its own tables (console.table boxes render only as code).
    '```',
    output || '(no output)',
    '```',
    ...(failed ? ['', `router-bench exited with ${code}:`, '', '```', proc.stderrTail().slice(-1500), '```'] : []),
  ].join('\n');
  return {
    markdown,
    targets: [{ target: 'Router bench ran (figures in its table)', result: failed ? `exit ${code}` : 'ok', status: failed ? 'FAIL' : 'INFO' }],
  };
}
