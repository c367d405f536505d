#!/usr/bin/env bash
# Installs what `npm start` and `npm test` need on a fresh machine: node modules (npm ci,
# when the lock file changed), Debian's etcd-server and redis-server when missing, and the build.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "missing: $* — install it (Debian/Ubuntu: sudo apt-get install $*)" >&2
    return 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1 || {
    DEBIAN_FRONTEND=noninteractive apt-get update >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null
  }
}

if ! command -v etcd >/dev/null; then
  echo "installing etcd-server (Debian) ..."
  apt_install etcd-server
fi

# Tests of limit-count policy redis start their own redis-server.
if ! command -v redis-server >/dev/null; then
  echo "installing redis-server (Debian) ..."
  apt_install redis-server
fi

# The conformance runner mints its TLS fixtures with openssl.
if ! command -v openssl >/dev/null; then
  echo "installing openssl (Debian) ..."
  apt_install openssl
fi

# test/deploy renders the manifests with `kubectl kustomize` (offline, no cluster).
command -v kubectl >/dev/null || echo "warning: kubectl not found: test/deploy needs 'kubectl kustomize'" >&2

# npm ci when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

npm run --silent build
