#!/usr/bin/env python3
# Runs a command and prefixes each line of its output with the epoch time, for threadcpu-report.py.
# Usage: bench/scripts/tsrun.py java -Dbench.only=throughput -jar bench/target/enjambre-bench.jar --no-write > bench.log
import sys, subprocess, time
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
for line in p.stdout:
    sys.stdout.write("%.2f %s" % (time.time(), line)); sys.stdout.flush()
