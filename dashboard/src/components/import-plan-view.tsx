import type { ImportPlan } from '../api/admin-types';
import { VersionDiff } from './version-diff';

/** What an import would do (a dry run): documents created, updated (with their diff), unchanged, and errors by field. */
export function ImportPlanView({ plan }: { plan: ImportPlan }) {
  return (
    <div className="import-plan" data-testid="import-plan">
      <p>
        <span className="badge">{plan.create.length} to create</span> <span className="badge">{plan.update.length} to update</span>{' '}
        <span className="badge">{plan.unchanged.length} unchanged</span>{' '}
        {plan.errors.length > 0 && <span className="badge state-down">{plan.errors.length} errors</span>}
      </p>
      {plan.errors.length > 0 && (
        <ul className="error" role="alert" aria-label="Import errors">
          {plan.errors.map((e) => (
            <li key={`${e.collection}/${e.id}${e.path}`}>
              {e.collection}/{e.id} <code>{e.path || '/'}</code> {e.message}
            </li>
          ))}
        </ul>
      )}
      {plan.create.length > 0 && (
        <>
          <h3>New</h3>
          <ul>
            {plan.create.map((c) => (
              <li key={`${c.collection}/${c.id}`}>
                <code>
                  {c.collection}/{c.id}
                </code>
              </li>
            ))}
          </ul>
        </>
      )}
      {plan.update.map((u) => (
        <details key={`${u.collection}/${u.id}`} open={plan.update.length <= 3}>
          <summary>
            Update{' '}
            <code>
              {u.collection}/{u.id}
            </code>
          </summary>
          <VersionDiff from={u.before} to={u.after} fromLabel="stored" toLabel="imported" />
        </details>
      ))}
    </div>
  );
}
