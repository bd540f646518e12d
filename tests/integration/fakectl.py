#!/usr/bin/env python3
# A stand-in for openagentsd's control socket, for the ctl tests of
# commands whose daemon side is not the one under test: it answers each
# of the given connections with one canned message, then exits.
#
#   fakectl.py SOCKET ANSWER...
#     wallet:JSON         an IMSG_CTL_WALLET with that text
#     result:CODE:MSG     an IMSG_CTL_RESULT
# Each request's type goes to stdout.  Bounded: 20 s in all.
import os, socket, struct, sys, time

IMSG_CTL_RESULT, IMSG_CTL_WALLET = 202, 205

def frame(t, data):
    return struct.pack('<IIII', t, 16 + len(data), 0, 0) + data

def main():
    path, answers = sys.argv[1], sys.argv[2:]
    deadline = time.time() + 20
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    os.chmod(path, 0o600)
    s.listen(4)
    s.settimeout(20)
    print('listening', flush=True)
    for a in answers:
        c, _ = s.accept()
        c.settimeout(max(1, deadline - time.time()))
        hdr = c.recv(16)
        t = struct.unpack('<IIII', hdr)[0] if len(hdr) == 16 else -1
        print('request', t, flush=True)
        kind, _, rest = a.partition(':')
        if kind == 'wallet':
            c.sendall(frame(IMSG_CTL_WALLET, rest.encode()))
        else:
            code, _, msg = rest.partition(':')
            data = struct.pack('<i', int(code)) + msg.encode().ljust(1020, b'\0')[:1020]
            c.sendall(frame(IMSG_CTL_RESULT, data))
        c.close()
    s.close()
    os.unlink(path)

main()
