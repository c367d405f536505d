#!/usr/bin/env bash
# `npm test`: installs what the tests need, builds, then runs every vitest project (unit,
# integration with a real etcd and real sockets) and, for a whole run, Biome's format and lint
# check first and the Gateway API conformance suite against real processes after (`npm run
# conformance`). Arguments go to vitest and narrow the run to it (e.g. `npm test --
# test/e2e/stream-routes.test.ts`).
set -euo pipefail
cd "$(dirname "$0")/.."
# Node.js 22 or 24 LTS is required; on an older Node (a fresh machine may have 20) the same
# command runs again with Node 24 from the npm registry's `node` package (scripts/with-node.sh).
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 22 ]; then
  exec bash scripts/with-node.sh 24 bash "$0" "$@"
fi
bash scripts/ensure-deps.sh
if [ "$#" -eq 0 ]; then
  # Formatting and lint first (Biome, seconds): `npm run format` fixes what it reports.
  npx biome ci . --max-diagnostics=20
fi
npx vitest run "$@"
if [ "$#" -eq 0 ]; then
  npm run --silent conformance -- --no-build
fi
