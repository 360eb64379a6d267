#!/usr/bin/env bash
# Resident memory of the local city: starts `./citybrain local --fresh` with its simulators (the
# default fleet) for N minutes (default 10), samples the JVM's resident set every 10 s from "up", and prints
# the samples, the peak (VmHWM) and the Java heap after a full GC at the end. Extra arguments go to
# `./citybrain local`; CITYBRAIN_JAVA_OPTS is honoured as by ./citybrain. Uses the default ports,
# so no other local city may run. Results: docs/benchmarks.md ("Local city: resident memory").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
minutes="${1:-10}"
shift || true
./citybrain --help >/dev/null   # builds first if the sources changed, outside the measurement
data="$(mktemp -d)"
log="$data/local.log"
./citybrain local --fresh --data-dir "$data/city" --live-interval 0 "$@" >"$log" 2>&1 &
launcher=$!
for _ in $(seq 1 240); do grep -q "citybrain local: up in" "$log" && break; sleep 0.5; done
# ./citybrain execs java, so the launcher's pid is the city's JVM.
pid=$launcher
echo "java options: ${CITYBRAIN_JAVA_OPTS:--Xmx3g (the default)}"
printf '%-8s %-10s %s\n' minute rss_mb load_1min
up=$SECONDS
end=$((up + minutes * 60))
while [ $SECONDS -lt $end ]; do
  sleep 10
  rss=$(awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status")
  printf '%-8.1f %-10s %s\n' "$(echo "($SECONDS - $up) / 60" | bc -l)" "$rss" "$(cut -d' ' -f1 /proc/loadavg)"
done
awk '/^VmHWM/ {printf "peak resident (VmHWM): %d MB\n", $2 / 1024}' "/proc/$pid/status"
jcmd "$pid" GC.run >/dev/null
jcmd "$pid" GC.heap_info | sed -n '2,3p'
kill -TERM "$pid"; wait "$pid" || true
rm -rf "$data"
