#!/usr/bin/env bash
# Runs every benchmark at its --smoke size (seconds each), so a benchmark that no longer runs fails the tests.
# A smoke passes when the benchmark exits 0 (no exception, no failed check, no non-2xx answer) and its last stdout
# line is its JSON result with "smoke":true and no "error". Performance targets are not asserted (shared machines).
# Writes <results>/benchmarks.trx (one result per benchmark, counted by .ci/run) and each run's output to
# <results>/benchmarks/. Exits 1 when a benchmark or the build failed.
# usage: scripts/smoke-benchmarks.sh [results folder]   (default $TEST_RESULTS_DIR, else ./TestResults)
set -uo pipefail
cd "$(dirname "$0")/.."

results="${1:-${TEST_RESULTS_DIR:-$PWD/TestResults}}"
logs="$results/benchmarks"
mkdir -p "$logs"
dll="$PWD/Monitoring.Benchmarks/bin/Release/net10.0/Monitoring.Benchmarks.dll"
# Far above any smoke (the slowest, circuits, publishes the app and drives Chromium): a hung run fails, not the job.
limit=600

names=() outcomes=() seconds=() messages=() starts=() ends=()
record() {
  names+=("$1") outcomes+=("$2") seconds+=("$3") messages+=("$4") starts+=("$5") ends+=("$6")
  echo "benchmark $1 --smoke: $2 in $3 s${4:+ ($4)}"
}

now() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }

build_start=$(now) build_began=$SECONDS
if ! dotnet build Monitoring.Benchmarks/Monitoring.Benchmarks.csproj -c Release --nologo -v quiet >"$logs/build.log" 2>&1; then
  record build Failed $((SECONDS - build_began)) "dotnet build -c Release failed; see $logs/build.log" "$build_start" "$(now)"
  tail -n 30 "$logs/build.log" >&2
else
  mapfile -t benchmarks < <(dotnet "$dll" --list)
  ((${#benchmarks[@]})) || record list Failed 0 "dotnet $dll --list named no benchmark" "$build_start" "$(now)"
  for name in "${benchmarks[@]}"; do
    start=$(now) began=$SECONDS
    # The working folder is the build output, as for `dotnet run`: the benchmarks find the web app's files there.
    (cd "$(dirname "$dll")" && timeout "$limit" dotnet "$dll" "$name" --smoke) >"$logs/$name.out" 2>"$logs/$name.err"
    code=$?
    last=$(tail -n 1 "$logs/$name.out")
    message=""
    if ((code == 124)); then
      message="timed out after $limit s"
    elif ((code != 0)); then
      message="exit code $code"
    elif [[ "$last" != "{\"benchmark\":\"$name\",\"smoke\":true,"*"}" ]]; then
      message="the last line of stdout is not its smoke JSON result"
    elif command -v jq >/dev/null && ! jq -e 'type == "object" and (has("error") | not)' <<<"$last" >/dev/null 2>&1; then
      message="the JSON result does not parse or carries an error"
    fi

    if [[ -n "$message" ]]; then
      record "$name" Failed $((SECONDS - began)) "$message; see $logs/$name.out and .err" "$start" "$(now)"
      tail -n 15 "$logs/$name.out" "$logs/$name.err" >&2
    else
      record "$name" Passed $((SECONDS - began)) "" "$start" "$(now)"
    fi
  done
fi

xml() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g' <<<"$1"; }
uuid() { cat /proc/sys/kernel/random/uuid; }
duration() { printf '%02d:%02d:%02d.0000000' $(($1 / 3600)) $(($1 / 60 % 60)) $(($1 % 60)); }

passed=0 failed=0
list=$(uuid) run_results="" definitions="" entries=""
for i in "${!names[@]}"; do
  test_id=$(uuid) execution_id=$(uuid) name="benchmark ${names[$i]} --smoke"
  if [[ "${outcomes[$i]}" == Passed ]]; then
    passed=$((passed + 1)) output=""
  else
    failed=$((failed + 1)) output="<Output><ErrorInfo><Message>$(xml "${messages[$i]}")</Message></ErrorInfo></Output>"
  fi
  run_results+="    <UnitTestResult executionId=\"$execution_id\" testId=\"$test_id\" testName=\"$name\" computerName=\"$(xml "$(hostname)")\" duration=\"$(duration "${seconds[$i]}")\" startTime=\"${starts[$i]}\" endTime=\"${ends[$i]}\" testType=\"13cdc9d9-ddb5-4fa4-a97d-d965ccfc6d4b\" outcome=\"${outcomes[$i]}\" testListId=\"$list\">$output</UnitTestResult>
"
  definitions+="    <UnitTest name=\"$name\" storage=\"scripts/smoke-benchmarks.sh\" id=\"$test_id\"><Execution id=\"$execution_id\" /><TestMethod codeBase=\"scripts/smoke-benchmarks.sh\" className=\"Monitoring.Benchmarks\" name=\"$name\" /></UnitTest>
"
  entries+="    <TestEntry testId=\"$test_id\" executionId=\"$execution_id\" testListId=\"$list\" />
"
done

total=$((passed + failed))
cat >"$results/benchmarks.trx" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<TestRun id="$(uuid)" name="benchmark smokes" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
  <Times creation="$build_start" start="$build_start" finish="$(now)" />
  <Results>
$run_results  </Results>
  <TestDefinitions>
$definitions  </TestDefinitions>
  <TestEntries>
$entries  </TestEntries>
  <TestLists>
    <TestList name="Results Not in a List" id="$list" />
  </TestLists>
  <ResultSummary outcome="$( ((failed)) && echo Failed || echo Completed )">
    <Counters total="$total" executed="$total" passed="$passed" failed="$failed" error="0" timeout="0" aborted="0" inconclusive="0" passedButRunAborted="0" notRunnable="0" notExecuted="0" disconnected="0" warning="0" completed="0" inProgress="0" pending="0" />
  </ResultSummary>
</TestRun>
EOF

echo "benchmark smokes: $passed passed, $failed failed (results in $results/benchmarks.trx)"
((failed == 0))
