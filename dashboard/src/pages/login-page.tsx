import { useState, type FormEvent } from 'react';
import type { WhoAmI } from '../api/admin-types';
import { ApiError, whoAmI } from '../api/client';
import { sessionKey } from '../api/session-key';

/** Asks for an admin key and keeps it for this tab only once the API accepted it. */
export function LoginPage({ onSignedIn }: { onSignedIn: (who: WhoAmI) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const who = await whoAmI(key);
      sessionKey.set(key);
      onSignedIn(who);
    } catch (err) {
      setError(err instanceof ApiError ? `Sign-in failed: ${err.message}` : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="card" onSubmit={submit} aria-label="Sign in">
        <h1>Sluice</h1>
        <p className="muted">
          Enter an admin key (printed by <code>gateway up</code>).
        </p>
        <label>
          Admin key
          <input
            name="key"
            type="password"
            autoComplete="current-password"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            required
            // biome-ignore lint/a11y/noAutofocus: the login page has one field, and typing the key is all there is to do
            autoFocus
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || key === ''}>
          Sign in
        </button>
      </form>
    </main>
  );
}
