import { useEffect, useState } from 'react';
import type { WhoAmI } from './api/admin-types';
import { whoAmI } from './api/client';
import { sessionKey } from './api/session-key';
import { editableCollections, isCollection } from './collections';
import { AdminKeysPage } from './pages/admin-keys-page';
import { AuditPage } from './pages/audit-page';
import { DocumentListPage } from './pages/document-list-page';
import { ImportExportPage } from './pages/import-export-page';
import { PluginsDocumentPage } from './pages/plugins-document-page';
import { LoginPage } from './pages/login-page';
import { OverviewPage } from './pages/overview-page';
import { RouteEditorPage } from './pages/route-editor-page';
import { SslEditorPage } from './pages/ssl-editor-page';
import { StreamRouteEditorPage } from './pages/stream-route-editor-page';
import { UpstreamEditorPage } from './pages/upstream-editor-page';
import { Link, navigate, usePath } from './router';
import { WhoAmIContext } from './who-am-i';

/** The shell: login gate, the key's role for every page, navigation, and the page for the current path. */
export function App() {
  const path = usePath();
  const [who, setWho] = useState<WhoAmI>();
  const [signedIn, setSignedIn] = useState(() => sessionKey.get() !== null);

  // A reload keeps the key (sessionStorage) but not the role: ask again.
  useEffect(() => {
    if (!signedIn || who) return;
    whoAmI().then(setWho, () => {
      sessionKey.clear();
      setSignedIn(false);
    });
  }, [signedIn, who]);

  if (!signedIn)
    return (
      <LoginPage
        onSignedIn={(w) => {
          setWho(w);
          setSignedIn(true);
        }}
      />
    );
  if (!who) return <p className="muted">Loading…</p>;

  const signOut = () => {
    sessionKey.clear();
    setWho(undefined);
    setSignedIn(false);
    navigate('/');
  };
  const section = path.split('/')[1] ?? '';
  const navLink = (href: string, title: string) => (
    <Link key={href} href={href} className={section === href.slice(1) ? 'active' : undefined} aria-current={section === href.slice(1) ? 'page' : undefined}>
      {title}
    </Link>
  );

  return (
    <WhoAmIContext.Provider value={who}>
      <div className="shell">
        <header className="topbar">
          <Link href="/" className="brand">
            Sluice
          </Link>
          <nav aria-label="Main">
            {navLink('/', 'Overview')}
            {editableCollections.map((c) => navLink(`/${c.collection}`, c.title))}
            {navLink('/audit', 'Audit')}
            {navLink('/import-export', 'Import/export')}
            {who.role === 'admin' && navLink('/admin-keys', 'Admin keys')}
          </nav>
          <span className="whoami" data-testid="whoami">
            {who.name} <span className="badge">{who.role}</span>
          </span>
          <button type="button" className="secondary" onClick={signOut}>
            Sign out
          </button>
        </header>
        <main>{pageFor(path, who)}</main>
      </div>
    </WhoAmIContext.Provider>
  );
}

function pageFor(path: string, who: WhoAmI) {
  const [collection, rawId] = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (collection === undefined) return <OverviewPage />;
  if (collection === 'audit') return <AuditPage />;
  if (collection === 'import-export') return <ImportExportPage />;
  if (collection === 'admin-keys') return who.role === 'admin' ? <AdminKeysPage /> : <p className="empty">Only admins manage keys.</p>;
  if (!isCollection(collection)) return <p className="empty">No page at {path}.</p>;
  if (rawId === undefined) return <DocumentListPage key={collection} collection={collection} />;
  const id = rawId === 'new' ? undefined : rawId;
  const key = `${collection}/${rawId}`;
  if (collection === 'routes') return <RouteEditorPage key={key} id={id} />;
  if (collection === 'upstreams') return <UpstreamEditorPage key={key} id={id} />;
  if (collection === 'ssls') return <SslEditorPage key={key} id={id} />;
  if (collection === 'stream-routes') return <StreamRouteEditorPage key={key} id={id} />;
  // Consumers, plugin configs, global rules.
  return <PluginsDocumentPage key={key} collection={collection} id={id} />;
}
