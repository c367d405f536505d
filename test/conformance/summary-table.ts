// Prints the Markdown conformance summary table of docs/gateway-api.md from results/report.yaml:
//   npx tsx test/conformance/summary-table.ts [report.yaml]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

interface Section {
  result: string;
  statistics: { Passed: number; Failed: number; Skipped: number };
}

export function summaryTable(report: {
  profiles: { name: string; core: Section; extended: Section }[];
  results?: { result: string }[];
  date?: string;
  gatewayAPIVersion?: string;
}): string {
  const lines = ['| Profile | Level | Passed | Failed | Skipped | Result |', '| --- | --- | ---: | ---: | ---: | --- |'];
  for (const p of report.profiles) {
    for (const level of ['core', 'extended'] as const) {
      const s = p[level];
      lines.push(`| ${p.name} | ${level} | ${s.statistics.Passed} | ${s.statistics.Failed} | ${s.statistics.Skipped} | ${s.result} |`);
    }
  }
  const all = report.results ?? [];
  const count = (r: string) => all.filter((x) => x.result === r).length;
  lines.push(
    '',
    `All ${all.length} tests (provisional included): ${count('PASS')} passed, ${count('FAIL')} failed, ${count('SKIP')} skipped` +
      (report.date ? ` (run ${report.date.slice(0, 10)}, Gateway API ${report.gatewayAPIVersion})` : '') +
      '.',
  );
  return lines.join('\n');
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const file = process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'results/report.yaml');
  if (!fs.existsSync(file)) {
    console.error(`summary-table: ${file} not found; run npm run conformance first`);
    process.exit(1);
  }
  console.log(summaryTable(YAML.parse(fs.readFileSync(file, 'utf8'))));
}
