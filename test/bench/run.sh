#!/usr/bin/env bash
# `npm run bench`: checks the tools, builds when bin/gateway needs it, then runs bench.ts.
# BENCH_QUICK=1 shortens every run to ~2 s (development); BENCH_PASSES=N sets the passes.
# `npm run bench:scale` runs scale.ts the same way (`run.sh scale.ts`; BENCH_SCALE_QUICK=1).
set -euo pipefail
cd "$(dirname "$0")/../.."
entry="${1:-bench.ts}"
# Node.js 22 or 24 is required; on an older Node the same command runs with Node 24 (scripts/with-node.sh).
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 22 ]; then
  exec bash scripts/with-node.sh 24 bash "$0" "$@"
fi

# The peers and tools come from Debian: install them when missing and running as root.
need_pkgs=()
command -v etcd >/dev/null 2>&1 || need_pkgs+=(etcd-server)
if [ "$entry" = bench.ts ]; then
  command -v nginx >/dev/null 2>&1 || need_pkgs+=(nginx)
  command -v wrk >/dev/null 2>&1 || need_pkgs+=(wrk)
  command -v taskset >/dev/null 2>&1 || need_pkgs+=(util-linux)
  # nginx's stream proxy (the TCP/UDP peer of section f) is a separate Debian package.
  [ -f /usr/lib/nginx/modules/ngx_stream_module.so ] || need_pkgs+=(libnginx-mod-stream)
else
  # The scale bench makes its certificates with openssl.
  command -v openssl >/dev/null 2>&1 || need_pkgs+=(openssl)
fi
if ((${#need_pkgs[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bench: installing ${need_pkgs[*]} (Debian)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_pkgs[@]}" >/dev/null 2>&1 || {
      DEBIAN_FRONTEND=noninteractive apt-get update >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_pkgs[@]}" >/dev/null
    }
  else
    echo "bench: missing ${need_pkgs[*]}. Install with:" >&2
    echo "  sudo apt-get install -y ${need_pkgs[*]}" >&2
    exit 1
  fi
fi
if [ "$(nproc)" -lt 2 ]; then
  echo "bench: needs 2 CPUs (proxy on CPU 0, load on CPU 1); this machine has $(nproc)" >&2
  exit 1
fi

# Build when bin/gateway exists and a workspace has no build or sources newer than it.
needs_build() {
  for ws in model control-plane data-plane; do
    [ -d "$ws/src" ] || continue
    [ -f "$ws/dist/.tsbuildinfo" ] || return 0
    [ -z "$(find "$ws/src" -newer "$ws/dist/.tsbuildinfo" -print -quit)" ] || return 0
  done
  return 1
}
if [ -e bin/gateway ] && needs_build; then
  echo "bench: building (npm run build)" >&2
  npm run build >&2 || echo "bench: build FAILED; Sluice figures will be missing or stale" >&2
fi

# The bench stops every process it started by pid on exit, error, or these signals.
node --conditions=source --import tsx "test/bench/$entry" &
bench=$!
trap 'kill -TERM "$bench" 2>/dev/null || true' INT TERM HUP
status=0
wait "$bench" || status=$?
# A trapped signal interrupts `wait`: wait again so the bench finishes its cleanup first.
while kill -0 "$bench" 2>/dev/null; do wait "$bench" || status=$?; done
exit "$status"
