#!/usr/bin/env bash
# Runs every test. Installs what the tests need when it is missing (Debian packages), then dotnet test.
# Results (trx) go to $TEST_RESULTS_DIR (default ./TestResults); browser screenshots to the test output folder.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian package → a file it provides. Playwright cannot download browsers here, so the tests drive Debian's Chromium.
declare -A needs=(
  [chromium]=/usr/bin/chromium
  [ffmpeg]=/usr/bin/ffprobe
  [prometheus]=/usr/bin/promtool
  [prometheus-alertmanager]=/usr/bin/prometheus-alertmanager
)
# An Alertmanager installed from upstream (named alertmanager) serves the alert notification tests as well.
command -v alertmanager >/dev/null && unset 'needs[prometheus-alertmanager]'
missing=()
for package in "${!needs[@]}"; do
  [[ -e "${needs[$package]}" ]] || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "Installing test dependencies: ${missing[*]}"
  sudo=""
  [[ "$(id -u)" == 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

results="${TEST_RESULTS_DIR:-$PWD/TestResults}"
rm -rf "$results"
tests=0
dotnet test Monitoring.sln --logger "trx;LogFileName=tests.trx" --logger "console;verbosity=minimal" --results-directory "$results" "$@" || tests=$?

# Every benchmark at its --smoke size, also after failed tests; each is one result in $results/benchmarks.trx.
benchmarks=0
./scripts/smoke-benchmarks.sh "$results" || benchmarks=$?
((tests == 0 && benchmarks == 0))
