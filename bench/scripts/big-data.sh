#!/usr/bin/env bash
# Issue 17's big-data run: FILES generated input files (default 1,000 × 2,200,000 bytes, 2.05 GiB) and one shared file
# (default 1 GiB), uploaded with `enjambre data upload`, then a `checksum` job (one unit per file: CRC-32 of the file
# followed by its slice of the shared file, so the units read the whole shared file between them) computed by two real
# workers. Every JVM runs with -Xmx$HEAP and logs its GCs; the script prints upload and job times, the load average,
# each process's peak heap (largest heap before a GC) and largest live set (largest heap after a GC), and checks the
# job's result against the answer Python's zlib computed while generating the data. Deletes all data at the end.
# Usage: bench/scripts/big-data.sh [FILES] [FILE_BYTES] [SHARED_BYTES]   (HEAP=256m by default; KEEP=1 keeps the data)
# Needs cli/target/enjambre.jar (mvn -B -q -pl cli -am package -DskipTests). Everything binds to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
FILES=${1:-1000}; FILE_BYTES=${2:-2200000}; SHARED_BYTES=${3:-1073741824}; HEAP=${HEAP:-256m}
JAR=$PWD/cli/target/enjambre.jar
DIR=$(mktemp -d /tmp/big-data.XXXXXX); KEY=ek-big-data-$$
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
CPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
JAVA="java -Xmx$HEAP"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$DIR"; }
trap cleanup EXIT
now() { date +%s.%N; }

# Deterministic data (seeded), and the expected answer by an independent method (zlib's CRC-32, not Java's).
start=$(now)
python3 - "$DIR/data" "$FILES" "$FILE_BYTES" "$SHARED_BYTES" > "$DIR/expected.json" <<'EOF'
import json, os, random, sys, zlib
out, files, size, shared_size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
os.makedirs(out + "/files")
with open(out + "/shared.bin", "wb") as f:
    r = random.Random(-1)
    left = shared_size
    while left:
        n = min(left, 64 << 20); f.write(r.randbytes(n)); left -= n
slice_ = -(-shared_size // files)
total, crcsum = 0, 0
with open(out + "/shared.bin", "rb") as shared:
    for i in range(files):
        data = random.Random(i).randbytes(size)
        with open(out + "/files/f%05d.bin" % i, "wb") as f:
            f.write(data)
        shared.seek(min(i * slice_, shared_size))
        part = shared.read(slice_)
        total += len(data) + len(part)
        crcsum += zlib.crc32(part, zlib.crc32(data))
print(json.dumps({"bytes": total, "crc32sum": crcsum, "files": files, "sliceBytes": slice_}))
EOF
echo "generated $FILES files of $FILE_BYTES bytes and a $SHARED_BYTES-byte shared file in $(python3 -c "print(round($(now)-$start,1))") s"

$JAVA -Xlog:gc:file=$DIR/coordinator-gc.log -jar $JAR coordinator --port $PORT --cluster-port $CPORT --cluster-name big-$$ \
  --data-dir $DIR/c --api-key $KEY --allow-same-host > $DIR/coordinator.log 2>&1 & pids+=($!)
until curl -sf $URL/health >/dev/null; do sleep 0.5; done

start=$(now)
$JAVA -Xlog:gc:file=$DIR/upload-gc.log -jar $JAR data upload $DIR/data/files --coordinator $URL --api-key $KEY \
  > $DIR/files.ids 2> $DIR/upload.err
$JAVA -Xlog:gc:file=$DIR/upload2-gc.log -jar $JAR data upload $DIR/data/shared.bin --coordinator $URL --api-key $KEY \
  > $DIR/shared.id 2>> $DIR/upload.err
upload=$(python3 -c "print(round($(now)-$start,1))")
echo "uploaded in $upload s (load average $(cut -d' ' -f1-3 /proc/loadavg))"

for i in 1 2; do
  $JAVA -Xlog:gc:file=$DIR/w$i-gc.log -jar $JAR worker --coordinator $URL --cores 1 --data-dir $DIR/w$i --name big-$i \
    --account big-$i --cache-mb 4096 > $DIR/w$i.log 2>&1 & pids+=($!)
done
until [ "$(curl -sf $URL/api/v1/workers | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["workers"]))')" = 2 ]; do sleep 0.5; done

spec=$(python3 - "$DIR" <<'EOF'
import json, sys
d = sys.argv[1]
ids = {}
for line in open(d + "/files.ids"):
    fid, path = line.split(None, 1)
    ids[path.strip().rsplit("/", 1)[-1]] = fid
files = [ids[k] for k in sorted(ids)]
shared = open(d + "/shared.id").read().split()[0]
exp = json.load(open(d + "/expected.json"))
print(json.dumps({"name": "big data", "app": "checksum", "redundancy": {"replicas": 1, "quorum": 1},
                  "input": {"files": files, "shared": shared, "sliceBytes": exp["sliceBytes"]}}))
EOF
)
start=$(now)
id=$(curl -sf -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d "$spec" $URL/api/v1/jobs \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
while :; do
  st=$(curl -sf $URL/api/v1/jobs/$id | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
  [ "$st" = COMPLETED ] || [ "$st" = FAILED ] || [ "$st" = CANCELLED ] && break
  sleep 1
done
job=$(python3 -c "print(round($(now)-$start,1))")
result=$(curl -s -H "Authorization: Bearer $KEY" $URL/api/v1/jobs/$id/result)
echo "job $st in $job s (load average $(cut -d' ' -f1-3 /proc/loadavg)); result $result"
python3 - "$DIR" "$result" <<'EOF'
import json, re, sys
d, result = sys.argv[1], json.loads(sys.argv[2])
exp = json.load(open(d + "/expected.json"))
ok = all(result.get(k) == exp[k] for k in ("bytes", "crc32sum", "files"))
print("expected %s: %s" % ({k: exp[k] for k in ("bytes", "crc32sum", "files")}, "RIGHT ANSWER" if ok else "WRONG ANSWER"))
for name in ("coordinator", "upload", "upload2", "w1", "w2"):
    before, after = [], []
    for line in open("%s/%s-gc.log" % (d, name)):
        m = re.search(r"(\d+)M->(\d+)M\((\d+)M\)", line)
        if m:
            before.append(int(m.group(1))); after.append(int(m.group(2)))
    print("  %-11s %4d GCs, peak heap %4s MiB, largest live set after a GC %4s MiB" % (
        name, len(before), max(before) if before else "-", max(after) if after else "-"))
sys.exit(0 if ok else 1)
EOF
echo "disk used: $(du -sh $DIR | cut -f1) (deleted now)"
