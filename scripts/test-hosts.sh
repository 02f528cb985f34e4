#!/usr/bin/env bash
# The module as host platforms get it: packs it (npm pack, which builds), checks
# what the tarball holds, then for each host fixture under test/hosts/ (each its
# own package.json and lock) installs the fixture as its team would (npm ci),
# installs the tarball into it, checks what that changed, and runs its tests.
# Each fixture is copied outside this repo first, so that nothing resolves from
# the repo's own node_modules.
#
# HOST_DATABASE_URL: a PostgreSQL database the fixtures may empty (CI: test_hosts).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${HOST_DATABASE_URL:?HOST_DATABASE_URL must name a PostgreSQL database the host fixtures may empty}"
export HOST_DATABASE_URL

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results=${HOST_RESULTS_DIR:-$work}

echo "--- npm pack"
npm pack --silent --pack-destination "$work" >/dev/null
tarball=$(ls "$work"/notifications-admin-*.tgz)
contents=$(tar -tzf "$tarball" | sed 's|^package/||' | sort)
echo "$contents" | sed 's/^/  /' | grep -v '^  dist/src/notifications-admin/' || true
echo "  ... and $(echo "$contents" | grep -c '^dist/src/notifications-admin/') files under dist/src/notifications-admin/"
for required in package.json README.md LICENSE dist/src/index.js dist/src/index.d.ts \
  dist/src/notifications-admin/migrations/1764288000000-CreateNotificationTables.js; do
  grep -qx "$required" <<<"$contents" || { echo "the package lacks $required" >&2; exit 1; }
done
unwanted=$(grep -E '^(src|test|scripts|\.ci|docs|data|node_modules)/|^dist/(ormconfig|src/(main|app\.module|http-setup)\.)|^dist/src/(config|health|http|logging)/|\.map$|\.spec\.|\.tsbuildinfo|[^d]\.ts$' <<<"$contents" || true)
[ -z "$unwanted" ] || { echo "the package holds what is not the module:" >&2; echo "$unwanted" >&2; exit 1; }

for fixture in test/hosts/*/; do
  name=$(basename "$fixture")
  dir="$work/$name"
  echo "--- $name"
  mkdir -p "$dir"
  tar -C "$fixture" --exclude=node_modules --exclude=dist --exclude=test-results.tap -cf - . | tar -C "$dir" -xf -
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  node test/hosts/check-install.js "$dir" - --snapshot >"$work/$name.before.json"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error "$tarball")
  (cd "$dir" && npm ls --all >/dev/null) || { echo "npm ls reports problems in $name" >&2; (cd "$dir" && npm ls --all | grep -iE 'invalid|missing|extraneous|ERR' >&2); exit 1; }
  node test/hosts/check-install.js "$dir" "$work/$name.before.json"
  (cd "$dir" && npm ls @nestjs/core)
  (cd "$dir" && npm test)
  cp "$dir/test-results.tap" "$results/hosts-$name.tap" 2>/dev/null || true
done
