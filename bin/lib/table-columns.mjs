// What `gateway get` shows per document type: a few columns that answer "what is it and where
// does it go" (the default table), more with -o wide. Cells are short strings; a missing value is
// shown as "-", as kubectl shows <none>.

const list = (values, max = 3) => {
  const v = (values ?? []).filter((x) => x !== undefined && x !== null && x !== '').map(String);
  if (v.length === 0) return '-';
  return v.length > max ? `${v.slice(0, max).join(',')},+${v.length - max}` : v.join(',');
};
const paths = (d) => list((d.match?.paths ?? []).map((p) => (p.type === 'prefix' ? `${p.value}*` : p.type === 'regex' ? `~${p.value}` : p.value)));
const backends = (d) =>
  d.backends?.length ? list(d.backends.map((b) => (d.backends.length > 1 ? `${b.upstreamId}(${b.weight ?? 1})` : b.upstreamId))) : d.upstream ? 'inline' : '-';
const plugins = (d) => list(Object.keys(d.plugins ?? {}), 4);
const owner = (d) => (!d.owner || d.owner.kind === 'admin' ? 'admin' : `${d.owner.kind}/${[d.owner.namespace, d.owner.name].filter(Boolean).join('/')}`);
const labels = (d) =>
  list(
    Object.entries(d.labels ?? {}).map(([k, v]) => `${k}=${v}`),
    10,
  );

/** "5s", "3m", "2h", "4d": the age kubectl prints, from the document's last change. */
function age(d, now) {
  const at = Date.parse(d.updatedAt ?? d.createdAt ?? d.startedAt ?? '');
  if (!Number.isFinite(at)) return '-';
  const s = Math.max(0, Math.round((now - at) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.floor(s / 60)}m` : s < 172800 ? `${Math.floor(s / 3600)}h` : `${Math.floor(s / 86400)}d`;
}

/** collection → [default columns, extra -o wide columns]; each column [HEADER, doc → cell]. */
const BY_COLLECTION = {
  routes: [
    [
      ['HOSTS', (d) => (list(d.match?.hosts) === '-' ? '*' : list(d.match?.hosts))],
      ['PATHS', paths],
      ['BACKENDS', backends],
    ],
    [
      ['METHODS', (d) => list(d.match?.methods)],
      ['PRIORITY', (d) => d.match?.priority ?? d.priority ?? '-'],
      ['PLUGINS', plugins],
      ['STATUS', (d) => d.status ?? 'enabled'],
    ],
  ],
  upstreams: [
    [
      ['TYPE', (d) => d.type ?? 'roundrobin'],
      ['NODES', (d) => list((d.nodes ?? []).map((n) => `${n.host}:${n.port}`))],
    ],
    [
      ['SCHEME', (d) => d.scheme ?? 'http'],
      ['CHECKS', (d) => list([d.checks?.active && 'active', d.checks?.passive && 'passive'])],
    ],
  ],
  ssls: [[['SNIS', (d) => list(d.snis)]], [['CLIENT-CA', (d) => (d.clientCa ? 'yes' : 'no')]]],
  'stream-routes': [
    [
      ['PROTOCOL', (d) => d.protocol ?? '-'],
      ['PORT', (d) => d.listenPort ?? '-'],
      ['BACKENDS', backends],
    ],
    [
      ['SNI', (d) => d.sni ?? '-'],
      ['PLUGINS', plugins],
    ],
  ],
  listeners: [
    [
      ['ADDRESS', (d) => d.address ?? '-'],
      ['PORT', (d) => d.port ?? '-'],
      ['PROTOCOL', (d) => d.protocol ?? '-'],
    ],
    [['HOSTNAME', (d) => d.hostname ?? '-']],
  ],
  consumers: [[['PLUGINS', plugins]], []],
  'plugin-configs': [[['PLUGINS', plugins]], []],
  'global-rules': [[['PLUGINS', plugins]], []],
  dataplanes: [
    [
      ['HOST', (d) => d.host ?? '-'],
      ['STATE', (d) => d.state ?? '-'],
      ['REVISION', (d) => d.revision ?? '-'],
    ],
    [
      ['WORKERS', (d) => d.workers ?? '-'],
      ['STATUS-URL', (d) => d.statusUrl ?? '-'],
    ],
  ],
};

/** The columns of `collection` for -o table (wide = false) or -o wide. */
export function tableColumns(collection, wide, now = Date.now()) {
  const [main, extra] = BY_COLLECTION[collection] ?? [[], []];
  const dataplane = collection === 'dataplanes';
  return [
    ['ID', (d, id) => id],
    ...(dataplane ? [] : [['NAME', (d) => d.name ?? '-']]),
    ...main,
    ...(wide ? extra : []),
    ...(dataplane ? [] : [['OWNER', owner]]),
    ...(wide && !dataplane ? [['LABELS', labels]] : []),
    ['AGE', (d) => age(d, now)],
  ];
}

/** Rows padded into columns, two spaces apart, as kubectl prints them. */
export function formatTable(columns, items) {
  const rows = [columns.map(([header]) => header), ...items.map(({ id, document }) => columns.map(([, cell]) => String(cell(document, id))))];
  const widths = columns.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i])))
        .join('   ')
        .trimEnd(),
    )
    .join('\n');
}
