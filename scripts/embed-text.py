#!/usr/bin/env python3
# Turns a text file into a C header holding it as one string constant,
# so that a shipped example (contrib/) and what the program writes stay
# the same text.  usage: embed-text.py INPUT OUTPUT NAME
import sys

src, dst, name = sys.argv[1:4]
with open(src, encoding="utf-8") as f:
    text = f.read()
out = ["/* generated from %s by embed-text.py; do not edit */" % src.split("/")[-1],
       "static const char %s[] =" % name]
for line in text.splitlines(keepends=True):
    esc = line.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    out.append('\t"%s"' % esc)
out[-1] += ";"
with open(dst, "w", encoding="utf-8") as f:
    f.write("\n".join(out) + "\n")
