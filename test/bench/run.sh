#!/usr/bin/env bash
# `npm run bench` (and `npm run bench:profile`): checks the tools, builds when bin/gateway needs it, then runs bench.ts.
# BENCH_QUICK=1 shortens every run to ~2 s (development); BENCH_PASSES=N sets the passes.
# `npm run bench:scale` runs scale.ts the same way (`run.sh scale.ts`; BENCH_SCALE_QUICK=1).
set -euo pipefail
cd "$(dirname "$0")/../.."
# The program under test/bench: bench.ts, profile-http.ts (bench:profile) or scale.ts (bench:scale).
entry="${1:-bench.ts}"
# Measure on the runtime users get: Node.js 22 or 24 (an older Node re-runs this with Node 24,
# as npm start and npm test do). BENCH_NODE=22 picks 22 instead.
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 22 ] || { [ -n "${BENCH_NODE:-}" ] && [ "$(node -p 'process.versions.node.split(".")[0]')" != "$BENCH_NODE" ]; }; then
  exec bash scripts/with-node.sh "${BENCH_NODE:-24}" bash "$0" "$@"
fi

# The peers and tools come from Debian: install them when missing and running as root.
need_pkgs=()
command -v etcd >/dev/null 2>&1 || need_pkgs+=(etcd-server)
if [ "$entry" = scale.ts ]; then
  # The scale bench makes its certificates with openssl.
  command -v openssl >/dev/null 2>&1 || need_pkgs+=(openssl)
else
  command -v nginx >/dev/null 2>&1 || need_pkgs+=(nginx)
  command -v wrk >/dev/null 2>&1 || need_pkgs+=(wrk)
  command -v taskset >/dev/null 2>&1 || need_pkgs+=(util-linux)
  # h2load drives the HTTP/2 row of section f.
  command -v h2load >/dev/null 2>&1 || need_pkgs+=(nghttp2-client)
  # nginx's stream proxy (the TCP/UDP peer of section f) is a separate Debian package.
  [ -f /usr/lib/nginx/modules/ngx_stream_module.so ] || need_pkgs+=(libnginx-mod-stream)
  # The profiler's strace and perf modes.
  [ "${PROFILE_MODE:-}" != strace ] || command -v strace >/dev/null 2>&1 || need_pkgs+=(strace)
  [ "${PROFILE_MODE:-}" != perf ] || command -v perf >/dev/null 2>&1 || need_pkgs+=(linux-perf)
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
