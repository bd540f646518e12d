#!/usr/bin/env python3
# A webhook receiver for the alert tests: listens on 127.0.0.1 (port 0,
# the port it got written to PORTFILE), appends every POST body as one
# line to OUTFILE, answers 200 (302 on /redirect, 500 on /fail).  Exits
# by itself after MAXSECS.  With CERT and KEY it speaks TLS.
import http.server
import os
import ssl
import sys
import threading

portfile, outfile, maxsecs = sys.argv[1], sys.argv[2], float(sys.argv[3])


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n) if 0 < n <= 65536 else b""
        with open(outfile, "ab") as f:
            f.write(body.replace(b"\n", b" ") + b"\n")
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:1/elsewhere")
        elif self.path == "/fail":
            self.send_response(500)
        else:
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, fmt, *args):
        pass


srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
if len(sys.argv) > 5:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[4], sys.argv[5])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
threading.Timer(maxsecs, srv.shutdown).start()
srv.serve_forever()
