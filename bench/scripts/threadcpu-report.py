#!/usr/bin/env python3
# Per thread group (digits folded to N), user and system CPU and voluntary/involuntary context switches per task
# round-trip, for every measured throughput run in a bench log whose lines tsrun.py prefixed with epoch seconds.
# Usage: bench/scripts/threadcpu-report.py OUT.samples bench.log
# (eleventh session: found the simulated workers' java.net.http client and the JIT's compile threads in the figures)
import sys, json, re, collections
samples = [json.loads(l) for l in open(sys.argv[1])]
log = open(sys.argv[2]).read().splitlines()
pat = re.compile(r'^(\d+\.\d+) \[bench\] throughput\s+(\d+) workers x batch\s+(\d+):\s+([\d,]+) units in\s+([\d.]+) s = ([\d,]+) round-trips/s')
def snap_at(t):
    best = min(samples, key=lambda s: abs(s[0]-t)); return best
def group(name):
    return re.sub(r'\d+', 'N', name)
for line in log:
    m = pat.match(line)
    if not m: continue
    t1 = float(m.group(1)); secs = float(m.group(5)); t0 = t1 - secs
    rate = int(m.group(6).replace(',', ''))
    if secs < 2: continue
    # inner window to avoid edges
    a, b = snap_at(t0 + 0.5), snap_at(t1 - 0.3)
    dt = b[0] - a[0]; rts = rate * dt
    agg = collections.defaultdict(lambda: [0,0,0,0])
    for tid, (name, ut, st, vol, nvol) in b[1].items():
        if tid not in a[1]: continue
        _, ut0, st0, vol0, nvol0 = a[1][tid]
        g = agg[group(name)]
        g[0] += ut-ut0; g[1] += st-st0; g[2] += vol-vol0; g[3] += nvol-nvol0
    tot = [sum(v[i] for v in agg.values()) for i in range(4)]
    print("batch %s rate %s window %.1fs: total user %.1f us/rt sys %.1f us/rt vol %.2f/rt nvol %.2f/rt" % (m.group(3), rate, dt, tot[0]*1e4/rts, tot[1]*1e4/rts, tot[2]/rts, tot[3]/rts))
    for k, v in sorted(agg.items(), key=lambda kv: -(kv[1][0]+kv[1][1]))[:14]:
        if v[0]+v[1]+v[2] == 0: continue
        print("   %-40s user %6.1f sys %6.1f us/rt  vol %.3f nvol %.3f per rt" % (k, v[0]*1e4/rts, v[1]*1e4/rts, v[2]/rts, v[3]/rts))
