import { useState } from 'react';
import { sessionKey } from './api/session-key';
import { editableCollections, isCollection } from './collections';
import { DocumentListPage } from './pages/document-list-page';
import { JsonDocumentPage } from './pages/json-document-page';
import { LoginPage } from './pages/login-page';
import { OverviewPage } from './pages/overview-page';
import { RouteEditorPage } from './pages/route-editor-page';
import { UpstreamEditorPage } from './pages/upstream-editor-page';
import { Link, navigate, usePath } from './router';

/** The shell: login gate, navigation, and the page for the current path. */
export function App() {
  const path = usePath();
  const [signedIn, setSignedIn] = useState(() => sessionKey.get() !== null);

  if (!signedIn) return <LoginPage onSignedIn={() => setSignedIn(true)} />;

  const signOut = () => {
    sessionKey.clear();
    setSignedIn(false);
    navigate('/');
  };
  const section = path.split('/')[1] ?? '';

  return (
    <div className="shell">
      <header className="topbar">
        <Link href="/" className="brand">
          Sluice
        </Link>
        <nav aria-label="Main">
          <Link href="/" className={section === '' ? 'active' : undefined}>
            Overview
          </Link>
          {editableCollections.map((c) => (
            <Link key={c.collection} href={`/${c.collection}`} className={section === c.collection ? 'active' : undefined}>
              {c.title}
            </Link>
          ))}
        </nav>
        <button type="button" className="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>{pageFor(path)}</main>
    </div>
  );
}

function pageFor(path: string) {
  const [collection, rawId] = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (collection === undefined) return <OverviewPage />;
  if (!isCollection(collection)) return <p className="empty">No page at {path}.</p>;
  if (rawId === undefined) return <DocumentListPage key={collection} collection={collection} />;
  const id = rawId === 'new' ? undefined : rawId;
  if (collection === 'routes') return <RouteEditorPage key={rawId} id={id} />;
  if (collection === 'upstreams') return <UpstreamEditorPage key={rawId} id={id} />;
  return <JsonDocumentPage key={`${collection}/${rawId}`} collection={collection} id={id} />;
}
