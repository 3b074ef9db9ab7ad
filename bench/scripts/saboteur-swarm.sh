#!/usr/bin/env bash
# Issue 15's real-process measurement: one coordinator, 6 honest workers and 2 colluding saboteurs that lie half
# the time (all real `enjambre worker` processes, --cores 1), a quorum-2 job with spot-checks and a credibility
# job (θ = 0.9999), run one after the other on the same workers. Prints wall time, results per unit, the answers.
# Usage: [DUMP=dir] bench/scripts/saboteur-swarm.sh [UNITS] [TO]   (defaults: 150 units of primes below 30,000,000)
# Needs cli/target/enjambre.jar (mvn -B -q -pl cli -am package -DskipTests). Everything binds to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
UNITS=${1:-150}; TO=${2:-30000000}
JAR=cli/target/enjambre.jar
DIR=$(mktemp -d); KEY=ek-saboteur-swarm-$$
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
CPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT
java -jar $JAR coordinator --port $PORT --cluster-port $CPORT --cluster-name sab-$$ --data-dir $DIR/c --api-key $KEY \
  --allow-same-host > $DIR/coordinator.log 2>&1 & pids+=($!)
until curl -sf $URL/health >/dev/null; do sleep 0.5; done
for i in 1 2 3 4 5 6; do
  java -jar $JAR worker --coordinator $URL --cores 1 --data-dir $DIR/w$i --name honest-$i --account honest-$i > $DIR/w$i.log 2>&1 & pids+=($!)
done
for i in 1 2; do
  java -jar $JAR worker --coordinator $URL --cores 1 --data-dir $DIR/s$i --name saboteur-$i --account saboteur-$i \
    --sabotage 0.5:colluding > $DIR/s$i.log 2>&1 & pids+=($!)
done
until [ "$(curl -sf $URL/api/v1/workers | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["workers"]))')" = 8 ]; do sleep 0.5; done
run() { # name redundancy-json
  local spec="{\"name\":\"$1\",\"app\":\"primes\",\"input\":{\"from\":2,\"to\":$TO},\"workUnits\":$UNITS,\"redundancy\":$2}"
  local start=$(date +%s.%N)
  local id=$(curl -sf -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d "$spec" $URL/api/v1/jobs \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  while :; do
    local v=$(curl -sf $URL/api/v1/jobs/$id)
    local st=$(echo "$v" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
    [ "$st" = COMPLETED ] || [ "$st" = FAILED ] || [ "$st" = CANCELLED ] && break
    sleep 0.2
  done
  local end=$(date +%s.%N)
  local result=$(curl -s -H "Authorization: Bearer $KEY" $URL/api/v1/jobs/$id/result)
  if [ -n "${DUMP:-}" ]; then # DUMP=dir keeps each job's units (replicas, workers, credibilities) for a closer look
    mkdir -p "$DUMP"; curl -sf "$URL/api/v1/jobs/$id/units?limit=1000" > "$DUMP/${1// /_}.units.json"
    curl -sf $URL/api/v1/workers > "$DUMP/${1// /_}.workers.json"
  fi
  echo "$v" | python3 -c "
import json,sys; j=json.load(sys.stdin); t=j['tasks']; u=j['workUnits']['total']
print('%-34s %-9s wall %6.1f s  results/unit %.2f  valid %d invalid %d errors %d  result %s' % ('$1', j['state'], $end-$start, t['reported']/u, t['valid'], t['invalid'], t['errors'], '''$result'''))"
}
run "quorum 2 + spot-checks" '{"replicas":2,"quorum":2,"spotCheckRate":0.1,"adaptive":true}'
run "credibility 0.9999 + spot-checks" '{"replicas":1,"quorum":1,"credibility":0.9999,"spotCheckRate":0.1}'
run "quorum 2 + spot-checks (again)" '{"replicas":2,"quorum":2,"spotCheckRate":0.1,"adaptive":true}'
curl -sf $URL/api/v1/workers | python3 -c "
import json,sys
for w in json.load(sys.stdin)['workers']:
    print('  %-12s blacklisted=%-5s valid=%s invalid=%s spot-checks passed=%s' % (w.get('name'), w.get('blacklisted'), w.get('valid'), w.get('invalid'), w.get('spotChecksPassed')))"
