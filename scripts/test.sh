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

# Known-vulnerable packages fail the run (an EF Core patch once brought SQLite with CVE-2025-6965). The audit needs
# vulnerability data from a package source (NuGet's VulnerabilityInfo resource): a source without it reports every
# package clean, so look for it first instead of printing a false "clean"; when none has it, say so and go on.
dotnet restore Monitoring.sln --verbosity quiet
sources=$(dotnet nuget list source --format short 2>/dev/null | awk '$1 ~ /^E/ {print $2}')
audited=""
for source in $sources; do
  if [[ $source == http* ]] && curl -fsS --max-time 20 "$source" 2>/dev/null | grep -q 'VulnerabilityInfo'; then
    audited+="$source "
  fi
done
if [[ -z $audited ]]; then
  echo "Package audit could NOT run: no package source offers vulnerability data (${sources:-none}); the tests go on without it."
elif audit=$(dotnet list Monitoring.sln package --vulnerable --include-transitive 2>&1) \
   && ! grep -qiE '^error|unable to load|could not|failed to' <<<"$audit"; then
  if grep -q 'has the following vulnerable packages' <<<"$audit"; then
    echo "$audit"
    echo "Known-vulnerable packages (listed above): update them before the tests run." >&2
    exit 1
  fi
  echo "Package audit (${audited% }): no known-vulnerable packages."
else
  echo "Package audit could NOT run (the vulnerability data could not be fetched); the tests go on without it:"
  grep -iE 'error|unable|could not|failed' <<<"$audit" | head -5 || true
fi

results="${TEST_RESULTS_DIR:-$PWD/TestResults}"
rm -rf "$results"
tests=0
dotnet test Monitoring.sln --logger "trx;LogFileName=tests.trx" --logger "console;verbosity=minimal" --results-directory "$results" "$@" || tests=$?

# Every benchmark at its --smoke size, also after failed tests; each is one result in $results/benchmarks.trx.
benchmarks=0
./scripts/smoke-benchmarks.sh "$results" || benchmarks=$?
((tests == 0 && benchmarks == 0))
