#!/usr/bin/env bash
# Formats the whole tree with biome.json and applies Biome's fixes, ONCE, after the branches that
# were open when the linter came in are merged (a tree-wide reformat on a branch conflicts with
# every other branch). Afterwards `npm run lint` (run by .ci/run) keeps it that way.
#   1. `biome check --write`: formatting, import order and the safe lint fixes;
#   2. three unsafe fixes that keep behaviour at every site they touch in this code base
#      (string concatenation -> template literal, `!a || !a.b()` -> `!a?.b()`, unused imports);
#      the other unsafe fixes are NOT applied (e.g. useLiteralKeys turns `o['constructor']` into
#      `o.constructor`, which no longer type-checks);
#   3. `npm run lint` lists what is left: findings that need a person (see docs/development.md).
# Then: npm run typecheck && npm test, and commit the result as one "format the tree" commit.
set -euo pipefail
cd "$(dirname "$0")/.."
# (each step exits 1 while findings remain: the last step reports them)
npx biome check --write . >/dev/null || true
npx biome lint --write --unsafe \
  --only=style/useTemplate --only=complexity/useOptionalChain --only=correctness/noUnusedImports . >/dev/null || true
echo "== left for a person (npm run lint) =="
npm run --silent lint
