#!/usr/bin/env bash
# `npm test`: installs what the tests need, builds, then runs every vitest project (unit,
# integration with a real etcd and real sockets) and, for a whole run, the Gateway API
# conformance suite against real processes (`npm run conformance`). Arguments go to vitest
# and narrow the run to it (e.g. `npm test -- test/e2e/stream-routes.test.ts`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
npx vitest run "$@"
if [ "$#" -eq 0 ]; then
  npm run --silent conformance -- --no-build
fi
