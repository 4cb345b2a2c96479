#!/usr/bin/env bash
# The one test command (npm test): installs what the tests need, then type-checks and runs every
# test — unit, integration (supertest on a real SQLite) and browser (Playwright on Debian's Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

# libxkbcommon-tools (xkbcli) and x11proto-dev (keysymdef.h): test/xkb.ts reads keyboard layouts from xkb.
# strace: test/stress/durable-answer.test.ts watches the request thread fsync before it answers (skipped where ptrace is not allowed).
SYSTEM_PACKAGES=(chromium poppler-utils zbar-tools fonts-dejavu-core ffmpeg libxkbcommon-tools x11proto-dev strace)
missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing system packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

npx tsc --noEmit
# The pages' scripts (src/browser): their own tsconfig, with the DOM's globals and no Node.
npx tsc --noEmit -p src/browser
# No import cycles in src/ and jobs/ (madge exits 1 on one, naming the files).
npx madge --circular --no-spinner --extensions ts --ts-config tsconfig.json src jobs
# Entry points point inward: jobs/ imports src/, never the reverse. src/server.ts is itself an
# entry point (npm start) and is the one file that starts jobs/schedule.ts.
if grep -rnE "['\"](\.\./)+jobs/" src --include='*.ts' | grep -v "^src/server\.ts:[0-9]*:import { startPackSchedule } from '\.\./jobs/schedule\.js';$"; then echo 'src/ imports from jobs/ (above): move the shared piece into src/' >&2; exit 1; fi
# typescript-eslint's type-checked rules and the project's own (eslint.config.js, lint/rules.js)
# over src/, jobs/, test/ and scripts, and the formatting (Prettier, .prettierrc.json).
npx eslint .
npx prettier --check . --log-level warn
mkdir -p test-results
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@" || status=$?
node -e '
  const r = require("./test-results/vitest.json");
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
' || true
exit $status
