import { diffLines } from 'diff';

/** Keys sorted and timestamps dropped, so the diff shows what changed, not how it was serialized. */
export function prettyForDiff(doc: unknown): string {
  return JSON.stringify(doc, (key, value) => {
    if (key === 'updatedAt' || key === 'createdAt') return undefined;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(Object.keys(value).sort().map((k) => [k, (value as Record<string, unknown>)[k]]));
    }
    return value;
  }, 2);
}

/** A line diff of two document versions (pretty JSON): removed lines red, added lines green. */
export function VersionDiff({ from, to, fromLabel, toLabel }: { from: unknown; to: unknown; fromLabel: string; toLabel: string }) {
  const parts = diffLines(prettyForDiff(from), prettyForDiff(to));
  const changed = parts.some((p) => p.added || p.removed);
  return (
    <figure className="diff" aria-label={`Changes from ${fromLabel} to ${toLabel}`}>
      <figcaption>
        <span className="diff-removed">− {fromLabel}</span> <span className="diff-added">+ {toLabel}</span>
      </figcaption>
      {!changed && <p className="muted">No difference.</p>}
      <pre>
        {parts.map((part, i) => {
          const mark = part.added ? '+' : part.removed ? '-' : ' ';
          const lines = part.value.replace(/\n$/, '').split('\n');
          return (
            <span key={i} className={part.added ? 'diff-added' : part.removed ? 'diff-removed' : 'diff-same'} data-change={part.added ? 'added' : part.removed ? 'removed' : undefined}>
              {lines.map((l) => `${mark} ${l}`).join('\n')}
              {'\n'}
            </span>
          );
        })}
      </pre>
    </figure>
  );
}
