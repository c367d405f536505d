/** A markdown table; unless `numeric` is false, columns after the first are right-aligned (they hold numbers). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], numeric = true): string {
  const align = header.map((_, i) => (i === 0 || !numeric ? '---' : '---:'));
  return [header, align, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** A number for a table: thousands separators, fixed decimals, '–' for a missing figure. */
export function formatNumber(value: number | undefined, decimals = 0): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** A message fit for a table cell or a sentence: one line, short, no pipes. */
export function oneLine(text: string, max = 240): string {
  const flat = text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
