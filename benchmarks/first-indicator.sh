#!/usr/bin/env bash
# Launch to first indicator: starts `./citybrain local --fresh` N times (default 5) on the built
# tree and prints, per launch, the seconds from launch to "up" and to the first traffic_district
# row in the store (polled every 0.5 s over /exec), then the worst. Uses the default ports, so no
# other local city may run. Results: docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs="${1:-5}"
./citybrain --help >/dev/null   # builds first if the sources changed, outside the measurement
data="$(mktemp -d)"
worst=0
printf '%-4s %-10s %-14s %s\n' run up_s first_row_s load_1min
for i in $(seq 1 "$runs"); do
  log="$data/run$i.log"
  t0=$(date +%s.%N)
  ./citybrain local --fresh --data-dir "$data/city" --live-interval 0 --console-port -1 >"$log" 2>&1 &
  pid=$!
  up=""
  first=""
  while [ -z "$first" ]; do
    sleep 0.5
    now=$(date +%s.%N)
    if [ -z "$up" ] && grep -q "citybrain local: up in" "$log"; then up=$(echo "$now - $t0" | bc); fi
    # The store's password is new at every start; the city prints it with its endpoints.
    password=$(sed -n 's/.*user citybrain, password \([^,]*\),.*/\1/p' "$log" | head -1)
    n=""
    [ -z "$password" ] || n=$(curl -s -u "citybrain:$password" -G http://127.0.0.1:9000/exec --data-urlencode "query=select count() from traffic_district" 2>/dev/null \
      | sed -n 's/.*"dataset":\[\[\([0-9]*\)\]\].*/\1/p' || true)
    if [ -n "$n" ] && [ "$n" -gt 0 ]; then first=$(echo "$now - $t0" | bc); fi
    if [ "$(echo "$now - $t0 > 300" | bc)" = 1 ]; then echo "run $i: no row within 300 s (log $log)"; first=999; fi
  done
  printf '%-4s %-10.1f %-14.1f %s\n' "$i" "${up:-0}" "$first" "$(cut -d' ' -f1 /proc/loadavg)"
  if [ "$(echo "$first > $worst" | bc)" = 1 ]; then worst=$first; fi
  kill -TERM "$pid"; wait "$pid" || true
done
echo "worst: $worst s"
