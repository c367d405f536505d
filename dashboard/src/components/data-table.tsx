import type { ReactNode } from 'react';

/**
 * The scrolling table every list page shows: a header row from `columns`, the caller's rows,
 * and, when `empty` is given, one full-width row saying why there is nothing to show.
 */
export function DataTable({
  label,
  columns,
  busy,
  empty,
  children,
}: {
  label: string;
  columns: string[];
  busy?: boolean;
  empty?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table aria-label={label} aria-busy={busy}>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {children}
          {empty && (
            <tr>
              <td colSpan={columns.length} className="empty">
                {empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
