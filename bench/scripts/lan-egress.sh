#!/usr/bin/env bash
# Issue 17's egress measurement: WORKERS real `enjambre worker` processes (--cores 1) all need the same MIB-MiB file
# (one wordcount unit with WORKERS replicas, quorum WORKERS: every worker reads the whole file). Run twice on one
# coordinator, once plain and once with --share-cache, each time on fresh worker data directories (empty caches);
# prints the coordinator's egress to workers (enjambre_data_served_bytes_total{to="worker"} before/after) per run,
# as a multiple of the file's size, and the wall time. Beside it, single-download throughput of the same file: curl
# from `python3 -m http.server` and curl from the coordinator (GET /api/v1/files/{id}/content). Machine load before
# and after. Usage: bench/scripts/lan-egress.sh [MIB] [WORKERS]   (defaults: 512 MiB, 8 workers; WORKERS=0: only the
# single-download throughputs, also of every chunk whole and by Range). COORDINATOR_OPTS: extra JVM options of the
# coordinator (e.g. -XX:StartFlightRecording=filename=/tmp/c.jfr,settings=profile to profile the downloads).
# Needs cli/target/enjambre.jar (mvn -B -q -pl cli -am package -DskipTests), python3, curl. Binds to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/../.."
MIB=${1:-512}; WORKERS=${2:-8}
JAR=${JAR:-cli/target/enjambre.jar}
DIR=$(mktemp -d); KEY=ek-lan-egress-$$
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port); CPORT=$(free_port); HPORT=$(free_port)
URL=http://127.0.0.1:$PORT
pids=(); wpids=()
cleanup() { for p in "${wpids[@]}" "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min), $(nproc) cores"

mkdir -p $DIR/plain
python3 - "$DIR/plain/big.txt" "$MIB" <<'PY'
import sys
path, mib = sys.argv[1], int(sys.argv[2])
words = [("w%d" % i).encode() for i in range(997)]
line = b" ".join(words[(i * 31) % 997] for i in range(100)) + b"\n"
block = line * (1 << 20 // len(line) + 1)
block = block[: block.rfind(b"\n") + 1]
with open(path, "wb") as f:
    left = mib << 20
    while left > 0:
        part = block[:left]
        if len(part) < len(block):
            part = part[: part.rfind(b"\n") + 1] or b"x\n"
        f.write(part)
        left -= len(part)
PY
SIZE=$(stat -c %s $DIR/plain/big.txt)
echo "file: $SIZE bytes ($MIB MiB of text)"

python3 -m http.server $HPORT --bind 127.0.0.1 --directory $DIR/plain > $DIR/http.log 2>&1 & pids+=($!)
until curl -sf -o /dev/null http://127.0.0.1:$HPORT/; do sleep 0.2; done
curl -s -o /dev/null -w 'curl from python3 -m http.server: %{size_download} bytes in %{time_total} s = %{speed_download} B/s\n' \
  http://127.0.0.1:$HPORT/big.txt | python3 -c "import sys; l=sys.stdin.read().split(); print(' '.join(l[:-3]), '= %.0f MiB/s' % (float(l[-2])/2**20))"

java -Xmx512m ${COORDINATOR_OPTS:-} -jar $JAR coordinator --port $PORT --cluster-port $CPORT --cluster-name lan-$$ --data-dir $DIR/c --api-key $KEY \
  --allow-same-host > $DIR/coordinator.log 2>&1 & pids+=($!); CPID=$!
until curl -sf $URL/health >/dev/null; do sleep 0.5; done
ID=$(java -jar $JAR data upload $DIR/plain/big.txt --coordinator $URL --api-key $KEY 2>/dev/null | awk '{print $1}')
echo "uploaded as $ID"
curl -s -o /dev/null -H "Authorization: Bearer $KEY" \
  -w 'curl from the coordinator (files/{id}/content): %{size_download} bytes in %{time_total} s = %{speed_download} B/s\n' \
  $URL/api/v1/files/$ID/content | python3 -c "import sys; l=sys.stdin.read().split(); print(' '.join(l[:-3]), '= %.0f MiB/s' % (float(l[-2])/2**20))"

speed() { python3 -c "import sys; l=sys.stdin.read().split(); print(' '.join(l[:-3]), '= %.0f MiB/s' % (float(l[-2])/2**20))"; }
cpu() { awk '{print $14 + $15}' /proc/$CPID/stat; } # the coordinator's user + system CPU, in clock ticks
TICKS=$(getconf CLK_TCK)
cpu_since() { python3 -c "print('  coordinator CPU: %.2f s' % (($(cpu) - $1) / $TICKS))"; }
c0=$(cpu)
for i in 1 2 3; do
  curl -s -o /dev/null -H "Authorization: Bearer $KEY" \
    -w "curl from the coordinator again ($i): %{size_download} bytes in %{time_total} s = %{speed_download} B/s\n" \
    $URL/api/v1/files/$ID/content | speed
  cpu_since $c0; c0=$(cpu)
done
# Every chunk of the file, one GET each on one connection (as a worker fetches them), whole and from 1 MiB on by Range.
CHUNK_ARGS=$(curl -sf -H "Authorization: Bearer $KEY" $URL/api/v1/files/$ID \
  | python3 -c "import json,sys; print(' '.join('-o /dev/null $URL/api/v1/chunks/' + c for c in json.load(sys.stdin)['chunks']))")
every_chunk() { # label, extra curl options
  local label=$1; shift
  local t0=$(date +%s.%N)
  local bytes=$(curl -s -H "Authorization: Bearer $KEY" -w '%{size_download}\n' "$@" $CHUNK_ARGS | awk '{s+=$1} END {print s}')
  local t1=$(date +%s.%N)
  python3 -c "print('%s: %d bytes in %.2f s = %.0f MiB/s' % ('$label', $bytes, $t1-$t0, $bytes/($t1-$t0)/2**20))"
}
for i in 1 2 3; do
  c0=$(cpu); every_chunk "every chunk, whole ($i)"; cpu_since $c0
  c0=$(cpu); every_chunk "every chunk from 1 MiB on by Range ($i)" -H "Range: bytes=1048576-"; cpu_since $c0
done
if [ "$WORKERS" = 0 ]; then echo "load after: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min)"; exit 0; fi

served() { curl -sf $URL/metrics | awk '/^enjambre_data_served_bytes_total\{to="worker"\}/ {printf "%.0f\n", $2}'; }
online() { curl -sf $URL/api/v1/workers | python3 -c 'import json,sys; print(sum(1 for w in json.load(sys.stdin)["workers"] if w.get("name","").startswith("'$1'")))'; }

run() { # name, extra worker options
  local name=$1; shift
  wpids=()
  for i in $(seq 1 $WORKERS); do
    java -Xmx256m -jar $JAR worker --coordinator $URL --cores 1 --buffer-seconds 0:1 --data-dir $DIR/$name-w$i --name $name-$i "$@" \
      > $DIR/$name-w$i.log 2>&1 & wpids+=($!)
  done
  until [ "$(online $name)" = "$WORKERS" ]; do sleep 0.5; done
  local before=$(served) start=$(date +%s.%N)
  local spec="{\"name\":\"$name\",\"app\":\"wordcount\",\"input\":{\"files\":[\"$ID\"]},\"redundancy\":{\"replicas\":$WORKERS,\"quorum\":$WORKERS,\"maxResults\":$WORKERS}}"
  local job=$(curl -sf -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d "$spec" $URL/api/v1/jobs \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  local st
  while :; do
    st=$(curl -sf $URL/api/v1/jobs/$job | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
    [ "$st" = COMPLETED ] || [ "$st" = FAILED ] || [ "$st" = CANCELLED ] && break
    sleep 0.5
  done
  local end=$(date +%s.%N) after=$(served)
  python3 -c "
e=$after-$before; s=$SIZE
print('%-14s %-9s wall %6.1f s  coordinator egress to workers %d bytes = %.2f x the file  (%d workers)' % ('$name', '$st', $end-$start, e, e/s, $WORKERS))"
  curl -s -H "Authorization: Bearer $KEY" $URL/api/v1/jobs/$job/result; echo
  for p in "${wpids[@]}"; do kill $p 2>/dev/null || true; done
  for p in "${wpids[@]}"; do wait $p 2>/dev/null || true; done
  wpids=()
  rm -rf $DIR/$name-w*
}
run plain
run share-cache --share-cache --share-host 127.0.0.1
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min)"
