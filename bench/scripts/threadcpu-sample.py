#!/usr/bin/env python3
# Samples every thread of a JVM (user/system CPU ticks and context switches from /proc) every 0.5 s, one JSON line
# per sample, until the process exits. Pair it with threadcpu-report.py over a bench log timestamped by tsrun.py.
# Usage: bench/scripts/threadcpu-sample.py PID OUT.samples
import os, sys, time, json, re
pid, out = sys.argv[1], sys.argv[2]
f = open(out, 'w')
while os.path.exists('/proc/%s' % pid):
    snap = {}
    try:
        for tid in os.listdir('/proc/%s/task' % pid):
            try:
                st = open('/proc/%s/task/%s/stat' % (pid, tid)).read()
                name = st[st.index('(')+1:st.rindex(')')]
                rest = st[st.rindex(')')+2:].split()
                ut, stt = int(rest[11]), int(rest[12])
                vol = nvol = 0
                for line in open('/proc/%s/task/%s/status' % (pid, tid)):
                    if line.startswith('voluntary_ctxt_switches'): vol = int(line.split()[1])
                    elif line.startswith('nonvoluntary_ctxt_switches'): nvol = int(line.split()[1])
                snap[tid] = (name, ut, stt, vol, nvol)
            except Exception:
                pass
    except Exception:
        break
    f.write(json.dumps([time.time(), snap]) + '\n'); f.flush()
    time.sleep(0.5)
