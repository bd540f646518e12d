#!/usr/bin/env python3
# Which of the given processes hold any of the given byte strings in
# their memory: reads /proc/PID/maps and /proc/PID/mem (root, or the
# same user with ptrace allowed).  Prints "PID NAME found|absent" per
# pid and needle.  usage: memscan.py HEXNEEDLE[,HEXNEEDLE...] PID...
import sys

needles = [bytes.fromhex(h) for h in sys.argv[1].split(",")]
for pid in sys.argv[2:]:
    found = [False] * len(needles)
    readable = 0
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            addr, perms = line.split()[:2]
            if perms[0] != "r":
                continue
            lo, hi = (int(x, 16) for x in addr.split("-"))
            if "[vsyscall]" in line or hi - lo > 1 << 30:
                continue
            try:
                mem.seek(lo)
                chunk = mem.read(hi - lo)
            except OSError:
                continue
            readable += len(chunk)
            for i, n in enumerate(needles):
                if not found[i] and n in chunk:
                    found[i] = True
    for i in range(len(needles)):
        print(pid, i, "found" if found[i] else "absent", readable)
