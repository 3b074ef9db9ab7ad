#!/usr/bin/env bash
# Watches a coordinator's running jobs and, when one stops progressing, dumps what explains it (ninth session: how the
# stall at high rates was caught). Every INTERVAL seconds it reads GET /api/v1/jobs; when the running job's done count
# grew by fewer than MIN units over two polls in a row, it saves the job view, the units around its frontier, the
# workers, /metrics and, for every PID given, a thread dump (jcmd), into DIR/<n>-*. At most DUMPS dumps.
# Usage: bench/scripts/stall-watch.sh URL DIR [PID...]     (env: INTERVAL=2 MIN=2000 DUMPS=2)
# Example, beside the real-worker bench:
#   java -Dbench.only=real -jar bench/target/enjambre-bench.jar --no-write > bench.out &
#   bench/scripts/stall-watch.sh "$(grep -o 'http://127.0.0.1:[0-9]*' bench.out | head -1)" /tmp/stall $(pgrep -f 'enjambre.jar (coordinator|worker)')
set -uo pipefail
URL=${1:?coordinator URL}; DIR=${2:?dump directory}; shift 2; PIDS=("$@")
INTERVAL=${INTERVAL:-2}; MIN=${MIN:-2000}; DUMPS=${DUMPS:-2}
mkdir -p "$DIR"
prev=""; slow=0; dumped=0
while curl -s -m 5 -o /dev/null "$URL/health"; do
  line=$(curl -s -m 5 "$URL/api/v1/jobs" | python3 -c '
import json, sys
try:
    for j in json.load(sys.stdin)["jobs"]:
        if j["state"] == "RUNNING":
            w = j["workUnits"]
            print(j["id"], w["done"], w["inProgress"], w["queued"], j["tasks"]["issued"])
            break
except Exception:
    pass')
  echo "$(date +%T) $line" >> "$DIR/progress.log"
  read -r id done _ <<< "$line"
  if [ -n "${id:-}" ] && [ -n "$prev" ] && [ "${done:-0}" -ge "$prev" ] && [ $(( ${done:-0} - prev )) -lt "$MIN" ]; then
    slow=$((slow + 1))
  else
    slow=0
  fi
  prev=${done:-}
  if [ "$slow" -ge 2 ] && [ "$dumped" -lt "$DUMPS" ]; then
    dumped=$((dumped + 1)); n=$dumped
    from=$(( done > 300 ? done - 300 : 0 ))
    curl -s "$URL/api/v1/jobs/$id" > "$DIR/$n-job.json"
    curl -s "$URL/api/v1/jobs/$id/units?from=$from&limit=1000" > "$DIR/$n-units.json"
    curl -s "$URL/api/v1/workers" > "$DIR/$n-workers.json"
    curl -s "$URL/metrics" > "$DIR/$n-metrics.txt"
    for p in "${PIDS[@]}"; do jcmd "$p" Thread.print > "$DIR/$n-threads-$p.txt" 2>&1; done
    echo "$(date +%T) dumped $n (job $id, done $done)" | tee -a "$DIR/progress.log"
  fi
  sleep "$INTERVAL"
done
