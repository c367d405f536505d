/** One line of the closing summary: a target and how this run did against it. */
export interface TargetResult {
  target: string;
  result: string;
  status: 'PASS' | 'FAIL' | 'N/A' | 'INFO';
}

/** A section's contribution to the report: its markdown and the targets it judged. */
export interface SectionReport {
  markdown: string;
  targets: TargetResult[];
}

export type Log = (message: string) => void;
