#!/usr/bin/env bash
# Checks the NVML path on a machine with an NVIDIA GPU, in one command, in under 5 minutes, offline:
#   1. builds (Release; the NuGet and npm packages must already be restored, as after any earlier build),
#   2. runs the real-driver tests (NvmlRealDriverTests, which skip without a GPU — here a skip is a failure)
#      and the NVML stub tests beside them,
#   3. runs the probe-overhead benchmark with the NVML provider (plus NVML's cost per sample),
#   4. runs one real GPU task through the app: ffmpeg encoding with h264_nvenc, when this ffmpeg and driver offer it,
# and prints one JSON line with the figures. Exit 0 when everything passed; non-zero, with "ok": false and the reason,
# otherwise (on a machine without an NVIDIA GPU it says so and exits 3). Not run by scripts/test.sh.
# Options (environment): GPU_CHECK_NO_BUILD=1 uses the existing build; GPU_CHECK_CONFIGURATION=Debug another one.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
started=$SECONDS
work=$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")
app_pid=""
configuration=${GPU_CHECK_CONFIGURATION:-Release}

cleanup() {
  [[ -n "$app_pid" ]] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

json_string() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/ }
  s=${s//$'\r'/ }
  s=${s//$'\t'/ }
  printf '"%s"' "$s"
}

fail() {
  printf '{"ok":false,"reason":%s,"elapsedSeconds":%d}\n' "$(json_string "$1")" $((SECONDS - started))
  exit "${2:-1}"
}

log() { echo "gpu-check: $*" >&2; }

# --- 1. Is there a GPU and a driver? ---------------------------------------------------------------------------
command -v nvidia-smi >/dev/null || fail "no NVIDIA GPU here: nvidia-smi not found (no NVIDIA driver installed)" 3
smi=$(timeout 60 nvidia-smi --query-gpu=index,uuid,name,driver_version,memory.total --format=csv,noheader,nounits 2>&1) \
  || fail "no usable NVIDIA GPU here: nvidia-smi failed: $smi" 3
[[ -n "$smi" ]] || fail "no NVIDIA GPU here: nvidia-smi lists none" 3
nvml_found=""
if ldconfig -p 2>/dev/null | grep -q 'libnvidia-ml\.so\.1'; then
  nvml_found=yes
else
  for dir in /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib64 /usr/lib /usr/local/nvidia/lib64 /usr/lib/wsl/lib ${LD_LIBRARY_PATH//:/ }; do
    [[ -e "$dir/libnvidia-ml.so.1" ]] && nvml_found=yes && break
  done
fi
[[ -n "$nvml_found" ]] || fail "no NVIDIA GPU here: libnvidia-ml.so.1 is not installed (nvidia-smi found but NVML not)" 3
command -v dotnet >/dev/null || fail "dotnet not found (the .NET SDK of global.json is needed to build)" 4
log "GPUs: $(echo "$smi" | wc -l) — $(echo "$smi" | cut -d, -f3 | paste -sd, -)"

# --- 2. Build ---------------------------------------------------------------------------------------------------
if [[ "${GPU_CHECK_NO_BUILD:-}" != 1 ]]; then
  log "building ($configuration)"
  for project in Monitoring.Tests/Monitoring.Tests.csproj Monitoring.Benchmarks/Monitoring.Benchmarks.csproj; do
    timeout 240 dotnet build "$project" -c "$configuration" -nologo -v q >"$work/build.log" 2>&1 \
      || fail "build of $project failed (packages not restored? this check runs offline): $(grep -m3 -E 'error' "$work/build.log")" 5
  done
fi

# --- 3. Real-driver and stub tests --------------------------------------------------------------------------------
log "running the NVML tests"
timeout 180 dotnet test Monitoring.Tests/Monitoring.Tests.csproj -c "$configuration" --no-build \
  --filter "FullyQualifiedName~Monitoring.Tests.Gpu.Nvml" \
  --logger "trx;LogFileName=nvml.trx" --results-directory "$work/results" >"$work/test.log" 2>&1
trx="$work/results/nvml.trx"
[[ -f "$trx" ]] || fail "the NVML tests did not run: $(tail -5 "$work/test.log")" 6
outcomes() { grep -o "testName=\"Monitoring.Tests.Gpu.$1[^\"]*\"[^>]*outcome=\"[A-Za-z]*\"" "$trx" | grep -o 'outcome="[A-Za-z]*"' | sort | uniq -c; }
count() { outcomes "$1" | awk -v o="outcome=\"$2\"" '$2 == o { n += $1 } END { print n + 0 }'; }
real_passed=$(count NvmlRealDriverTests Passed); real_failed=$(count NvmlRealDriverTests Failed); real_skipped=$(count NvmlRealDriverTests NotExecuted)
stub_passed=$(( $(count NvmlStubProbeTests Passed) + $(count NvmlStubAppTests Passed) ))
stub_failed=$(( $(count NvmlStubProbeTests Failed) + $(count NvmlStubAppTests Failed) ))
tests_json="{\"realDriver\":{\"passed\":$real_passed,\"failed\":$real_failed,\"skipped\":$real_skipped},\"stub\":{\"passed\":$stub_passed,\"failed\":$stub_failed}}"
skip_reason=$(grep -o -m1 'No NVIDIA GPU: [^<]*' "$trx" || true)

# --- 4. probe-overhead with the NVML provider -------------------------------------------------------------------
log "probe-overhead with Gpu:Provider=nvml (about a minute)"
bench_dll="$repo/Monitoring.Benchmarks/bin/$configuration/net10.0/Monitoring.Benchmarks.dll"
timeout 150 dotnet "$bench_dll" probe-overhead --nvml 1 --warmup "${GPU_CHECK_WARMUP:-20}" --seconds "${GPU_CHECK_SECONDS:-30}" >"$work/bench.log" 2>&1
bench=$(grep -m1 '^{"benchmark":"probe-overhead"' "$work/bench.log" || true)
field() { grep -o "\"$1\":[^,}]*" <<<"$bench" | head -1 | cut -d: -f2-; }

# --- 5. One real GPU task: ffmpeg with NVENC, scheduled by the app on an NVML-probed GPU ----------------------
nvenc_json='{"ran":false,"reason":"ffmpeg not found"}'
nvenc_ok=yes
if command -v ffmpeg >/dev/null; then
  # Captured first: with pipefail, grep -q closing the pipe early would fail ffmpeg with SIGPIPE.
  encoders=$(ffmpeg -hide_banner -encoders 2>/dev/null || true)
  if [[ "$encoders" != *h264_nvenc* ]]; then
    nvenc_json='{"ran":false,"reason":"this ffmpeg has no h264_nvenc encoder"}'
  elif ! probe_out=$(timeout 30 ffmpeg -hide_banner -loglevel error -nostdin -f lavfi -i testsrc=size=640x360:rate=25 -t 0.2 -c:v h264_nvenc -f null - 2>&1); then
    nvenc_json="{\"ran\":false,\"reason\":$(json_string "h264_nvenc does not run on this driver: ${probe_out:0:300}")}"
  else
    log "one video task through ffmpeg h264_nvenc"
    nvenc_ok=""
    port=$(( 20000 + RANDOM % 20000 ))
    web_dir="$repo/Monitoring.Web/bin/$configuration/net10.0"
    (cd "$web_dir" && exec dotnet Monitoring.Web.dll --urls "http://127.0.0.1:$port" --Storage:DataDirectory="$work/data" \
      --Auth:Mode=None --Demo:Enabled=false --Gpu:Provider=nvml --Probes:GpuIntervalSeconds=1 --Scheduler:IntervalSeconds=1 \
      --TaskTypes:gpu.nvenc:Command=ffmpeg \
      --TaskTypes:gpu.nvenc:Args:0=-hide_banner --TaskTypes:gpu.nvenc:Args:1=-loglevel --TaskTypes:gpu.nvenc:Args:2=error \
      --TaskTypes:gpu.nvenc:Args:3=-nostdin --TaskTypes:gpu.nvenc:Args:4=-y \
      --TaskTypes:gpu.nvenc:Args:5=-f --TaskTypes:gpu.nvenc:Args:6=lavfi \
      --TaskTypes:gpu.nvenc:Args:7=-i --TaskTypes:gpu.nvenc:Args:8="testsrc2=size=1280x720:rate=30" \
      --TaskTypes:gpu.nvenc:Args:9=-t --TaskTypes:gpu.nvenc:Args:10="{seconds}" \
      --TaskTypes:gpu.nvenc:Args:11=-c:v --TaskTypes:gpu.nvenc:Args:12=h264_nvenc \
      --TaskTypes:gpu.nvenc:Args:13=-pix_fmt --TaskTypes:gpu.nvenc:Args:14=yuv420p \
      --TaskTypes:gpu.nvenc:Args:15="{output_dir}/nvenc-{task_id}.mp4" \
      --TaskTypes:gpu.nvenc:RequiresGpu=true --TaskTypes:gpu.nvenc:GpuMemoryBytes=536870912 \
      --TaskTypes:gpu.nvenc:TimeoutSeconds=90 --TaskTypes:gpu.nvenc:MaxAttempts=1 >"$work/web.log" 2>&1) &
    app_pid=$!
    base="http://127.0.0.1:$port"
    for _ in $(seq 1 120); do
      curl -fs "$base/health/live" >/dev/null 2>&1 && break
      sleep 0.5
    done
    created=$(curl -fs -H 'Content-Type: application/json' -d '{"type":"gpu.nvenc","parameters":{"seconds":10}}' "$base/api/v1/tasks" || true)
    id=$(grep -o '"id":[0-9]*' <<<"$created" | head -1 | cut -d: -f2)
    if [[ -z "$id" ]]; then
      nvenc_json="{\"ran\":false,\"reason\":$(json_string "the app did not take the task: ${created:-no answer} $(tail -3 "$work/web.log")")}"
    else
      max_enc=0; max_mem=0; status=""; task=""
      for _ in $(seq 1 240); do
        task=$(curl -fs "$base/api/v1/tasks/$id" || true)
        status=$(grep -o '"status":"[A-Za-z]*"' <<<"$task" | head -1 | cut -d'"' -f4)
        [[ "$status" =~ ^(Completed|Failed|Cancelled)$ ]] && break
        while IFS=, read -r enc mem; do
          enc=${enc// /}; mem=${mem// /}
          [[ "$enc" =~ ^[0-9]+$ ]] && (( enc > max_enc )) && max_enc=$enc
          [[ "$mem" =~ ^[0-9]+$ ]] && (( mem > max_mem )) && max_mem=$mem
        done < <(nvidia-smi --query-gpu=utilization.encoder,memory.used --format=csv,noheader,nounits 2>/dev/null)
        sleep 0.5
      done
      gpu=$(grep -o '"gpuUuid":"[^"]*"' <<<"$task" | head -1 | cut -d'"' -f4)
      peak=$(grep -o '"peakGpuMemoryBytes":[0-9]*' <<<"$task" | head -1 | cut -d: -f2)
      duration=$(grep -o '"durationMs":[0-9]*' <<<"$task" | head -1 | cut -d: -f2)
      error=$(grep -o '"error":"[^"]*"' <<<"$task" | head -1 | cut -d'"' -f4)
      [[ "$status" == Completed ]] && nvenc_ok=yes
      nvenc_json="{\"ran\":true,\"status\":$(json_string "${status:-unknown}"),\"gpuUuid\":$(json_string "$gpu"),\"durationMs\":${duration:-null},\"peakGpuMemoryBytes\":${peak:-null},\"maxEncoderUtilizationPercent\":$max_enc,\"maxGpuMemoryUsedMiB\":$max_mem,\"error\":$(json_string "$error")}"
    fi
    kill "$app_pid" 2>/dev/null; wait "$app_pid" 2>/dev/null; app_pid=""
  fi
fi

# --- Result -------------------------------------------------------------------------------------------------------
problems=()
(( real_failed > 0 )) && problems+=("$real_failed real-driver test(s) failed")
(( real_skipped > 0 )) && problems+=("$real_skipped real-driver test(s) skipped: ${skip_reason:-see the test log}")
(( real_passed == 0 )) && problems+=("no real-driver test passed")
(( stub_failed > 0 )) && problems+=("$stub_failed stub test(s) failed")
[[ -z "$bench" ]] && problems+=("probe-overhead --nvml 1 gave no result: $(tail -3 "$work/bench.log")")
[[ -z "$nvenc_ok" ]] && problems+=("the NVENC task did not complete")
ok=true
reason=null
if ((${#problems[@]})); then
  ok=false
  reason=$(json_string "$(IFS='; '; echo "${problems[*]}")")
fi
nvml_json=$(grep -o '"nvml":{[^}]*}' <<<"$bench" | head -1 | cut -d: -f2-)
printf '{"ok":%s,"reason":%s,"driverVersion":%s,"nvmlVersion":%s,"gpus":%s,"nvidiaSmi":%s,"tests":%s,"probe":{"sampleMicroseconds":%s,"sampleWithProcessesMicroseconds":%s,"idleAppCpuPercentOfOneCore":%s,"idleAppWarmupSeconds":%s},"nvencTask":%s,"elapsedSeconds":%d}\n' \
  "$ok" "$reason" \
  "$(grep -o '"driverVersion":"[^"]*"' <<<"$bench" | cut -d: -f2- | head -1 | grep . || json_string "$(echo "$smi" | head -1 | cut -d, -f4 | xargs)")" \
  "$(grep -o '"nvmlVersion":"[^"]*"' <<<"$bench" | cut -d: -f2- | head -1 | grep . || echo null)" \
  "$(grep -o '"gpus":[0-9]*' <<<"$nvml_json" | cut -d: -f2 | grep . || echo "$smi" | wc -l)" \
  "$(json_string "$(echo "$smi" | paste -sd';' -)")" \
  "$tests_json" \
  "$(field sampleMicroseconds | grep . || echo null)" "$(field sampleWithProcessesMicroseconds | grep . || echo null)" \
  "$(field cpuPercentOfOneCore | grep . || echo null)" "${GPU_CHECK_WARMUP:-20}" \
  "$nvenc_json" $((SECONDS - started))
[[ "$ok" == true ]]
