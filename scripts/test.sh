#!/usr/bin/env bash
# `npm test`: installs what the tests need, builds, then runs every vitest project
# (unit, integration with a real etcd and real sockets).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
exec npx vitest run "$@"
