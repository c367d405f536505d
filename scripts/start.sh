#!/usr/bin/env bash
# `npm start`: installs what is needed, builds, then runs `gateway up` (etcd, control plane,
# data plane and dashboard on this machine, with an example route). Extra flags pass through:
# npm start -- --http-port 8080
set -euo pipefail
cd "$(dirname "$0")/.."
# Node.js 22 or 24 LTS is required; on an older Node (a fresh machine may have 20) the same
# command runs again with Node 24 from the npm registry's `node` package (scripts/with-node.sh).
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 22 ]; then
  exec bash scripts/with-node.sh 24 bash "$0" "$@"
fi
bash scripts/ensure-deps.sh
exec node bin/gateway up "$@"
