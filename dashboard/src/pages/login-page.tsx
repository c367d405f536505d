import { useState, type FormEvent } from 'react';
import { ApiError, checkKey } from '../api/client';
import { sessionKey } from '../api/session-key';

/** Asks for the admin key and keeps it for this tab only once the API accepted it. */
export function LoginPage({ onSignedIn }: { onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await checkKey(key);
      sessionKey.set(key);
      onSignedIn();
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
        <p className="muted">Enter an admin key (printed by <code>gateway up</code>).</p>
        <label>
          Admin key
          <input
            name="key"
            type="password"
            autoComplete="current-password"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            required
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
