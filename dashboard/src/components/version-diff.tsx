import { diffLines, diffWordsWithSpace } from 'diff';
import { useState, type ReactNode } from 'react';

/** Keys sorted and timestamps dropped, so the diff shows what changed, not how it was serialized. */
export function prettyForDiff(doc: unknown): string {
  return JSON.stringify(
    doc,
    (key, value) => {
      if (key === 'updatedAt' || key === 'createdAt') return undefined;
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        return Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((k) => [k, (value as Record<string, unknown>)[k]]),
        );
      }
      return value;
    },
    2,
  );
}

type Line = { kind: 'same' | 'added' | 'removed'; text: string; words?: ReactNode };
type Row = Line | { kind: 'fold'; lines: Line[] };

/** Unchanged lines shown around each change; longer unchanged runs fold into one row. */
const CONTEXT = 3;

/**
 * A line diff of two document versions (key-sorted JSON), one column: removed lines (−) above
 * the added ones (+) that replace them, with the words that changed marked inside them;
 * unchanged lines plain, folded beyond three lines of context. Long lines wrap, so the diff
 * always fits its container.
 */
export function VersionDiff({ from, to, fromLabel, toLabel }: { from: unknown; to: unknown; fromLabel: string; toLabel: string }) {
  const rows = foldUnchanged(diffRows(prettyForDiff(from), prettyForDiff(to)));
  const changed = rows.some((r) => r.kind === 'added' || r.kind === 'removed');
  return (
    <figure className="diff" aria-label={`Changes from ${fromLabel} to ${toLabel}`}>
      <figcaption>
        <span className="diff-legend-removed">− {fromLabel}</span> <span className="diff-legend-added">+ {toLabel}</span>
      </figcaption>
      {!changed ? (
        <p className="muted">No difference.</p>
      ) : (
        <div className="diff-lines">
          {rows.map((row, i) => (row.kind === 'fold' ? <FoldedLines key={i} lines={row.lines} /> : <DiffLine key={i} line={row} />))}
        </div>
      )}
    </figure>
  );
}

function DiffLine({ line }: { line: Line }) {
  const mark = line.kind === 'added' ? '+' : line.kind === 'removed' ? '−' : ' ';
  return (
    <div className={`diff-line diff-${line.kind}`} data-change={line.kind === 'same' ? undefined : line.kind}>
      <span className="diff-mark" aria-hidden="true">
        {mark}
      </span>
      <span className="diff-text">{line.words ?? line.text}</span>
    </div>
  );
}

function FoldedLines({ lines }: { lines: Line[] }) {
  const [open, setOpen] = useState(false);
  if (open) return lines.map((line, i) => <DiffLine key={i} line={line} />);
  return (
    <button type="button" className="diff-fold" onClick={() => setOpen(true)}>
      ⋯ {lines.length} unchanged lines
    </button>
  );
}

/** Lines of both texts; a run of removed lines followed by as many added ones is paired line by line, with word marks. */
function diffRows(before: string, after: string): Line[] {
  const rows: Line[] = [];
  const parts = diffLines(before, after);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const lines = splitLines(part.value);
    if (!part.added && !part.removed) {
      for (const text of lines) rows.push({ kind: 'same', text });
      continue;
    }
    const next = parts[i + 1];
    if (part.removed && next?.added && splitLines(next.value).length === lines.length) {
      const added = splitLines(next.value);
      const pairs = lines.map((text, j) => wordMarks(text, added[j]));
      for (const [j, text] of lines.entries()) rows.push({ kind: 'removed', text, words: pairs[j].removed });
      for (const [j, text] of added.entries()) rows.push({ kind: 'added', text, words: pairs[j].added });
      i++;
      continue;
    }
    for (const text of lines) rows.push({ kind: part.added ? 'added' : 'removed', text });
  }
  return rows;
}

/** The two versions of one line, each with the words only it has marked. */
function wordMarks(before: string, after: string): { removed: ReactNode; added: ReactNode } {
  const parts = diffWordsWithSpace(before, after);
  const removed = parts.filter((p) => !p.added).map((p, i) => (p.removed ? <mark key={i}>{p.value}</mark> : p.value));
  const added = parts.filter((p) => !p.removed).map((p, i) => (p.added ? <mark key={i}>{p.value}</mark> : p.value));
  return { removed, added };
}

function foldUnchanged(lines: Line[]): Row[] {
  const rows: Row[] = [];
  let run: Line[] = [];
  const flush = (atStart: boolean, atEnd: boolean) => {
    const keepHead = atStart ? 0 : CONTEXT;
    const keepTail = atEnd ? 0 : CONTEXT;
    if (run.length > keepHead + keepTail + 1) {
      rows.push(...run.slice(0, keepHead), { kind: 'fold', lines: run.slice(keepHead, run.length - keepTail) }, ...run.slice(run.length - keepTail));
    } else {
      rows.push(...run);
    }
    run = [];
  };
  let seenChange = false;
  for (const line of lines) {
    if (line.kind === 'same') {
      run.push(line);
      continue;
    }
    flush(!seenChange, false);
    seenChange = true;
    rows.push(line);
  }
  flush(!seenChange, true);
  return rows;
}

function splitLines(text: string): string[] {
  return text.replace(/\n$/, '').split('\n');
}
