#!/usr/bin/env bash
# `npm start`: installs what is needed, builds, then runs `gateway up` (etcd, control plane,
# data plane and dashboard on this machine, with an example route). Extra flags pass through:
# npm start -- --http-port 8080
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
exec node bin/gateway up "$@"
