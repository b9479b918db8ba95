#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A small HTTP server for the update agent's host tests: serves a directory, and can be told to break
transfers off and how to treat Range requests, so that resumable downloads can be tested.

  test-http-server.py --dir DIR --port-file FILE [--log FILE] [--cut SUBSTRING:BYTES:TIMES]...
                      [--range honour|ignore|wrong]

--cut: the first TIMES requests for a path containing SUBSTRING get BYTES bytes of their body, and then the
connection is closed (the headers announce the whole body, so the client sees it cut short).
--range: honour "Range: bytes=N-" (206 with Content-Range), ignore it (200, the whole file: a server
without range support), or answer 206 with a Content-Range that starts at 0 whatever was asked (a broken
server). The port (bound on 127.0.0.1) is written to --port-file once the server listens; --log gets one
line per request: "<path> <range or -> <status> <bytes sent>".
"""
import argparse
import http.server
import os
import re
import socket
import sys
import threading


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up on a refused answer is what some tests do


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self, status, sent):
        cfg = self.server.cfg
        with cfg.lock:
            with open(cfg.log, "a") as f:
                f.write("%s %s %d %d\n" % (self.path, self.headers.get("Range", "-"), status, sent))

    def cut_for(self, path):
        """The number of body bytes after which to cut this request, or None."""
        cfg = self.server.cfg
        with cfg.lock:
            for cut in cfg.cuts:
                if cut["substring"] in path and cut["left"] > 0:
                    cut["left"] -= 1
                    return cut["bytes"]
        return None

    def do_GET(self):
        cfg = self.server.cfg
        rel = self.path.split("?", 1)[0].lstrip("/")
        path = os.path.realpath(os.path.join(cfg.dir, rel))
        if not path.startswith(cfg.dir + os.sep) or not os.path.isfile(path):
            self.send_error(404)
            self.record(404, 0)
            return
        with open(path, "rb") as f:
            data = f.read()
        status, start, claimed = 200, 0, 0
        m = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
        if m and cfg.range != "ignore":
            start = int(m.group(1))
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % len(data))
                self.send_header("Content-Length", "0")
                self.end_headers()
                self.record(416, 0)
                return
            status = 206
            claimed = 0 if cfg.range == "wrong" else start
        body = data[start:]
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (claimed, claimed + len(body) - 1, len(data)))
        self.end_headers()
        cut = self.cut_for(rel)
        if cut is not None and cut < len(body):
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.record(status, cut)
            # An orderly close, so that the client gets exactly `cut` bytes (a reset could drop some of
            # what is in flight, and the test checks the offsets).
            self.connection.shutdown(socket.SHUT_WR)
            self.close_connection = True
            return
        self.wfile.write(body)
        self.record(status, len(body))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", default=os.devnull)
    p.add_argument("--cut", action="append", default=[])
    p.add_argument("--range", choices=["honour", "ignore", "wrong"], default="honour")
    cfg = p.parse_args()
    cfg.dir = os.path.realpath(cfg.dir)
    cfg.lock = threading.Lock()
    cfg.cuts = []
    for c in cfg.cut:
        substring, nbytes, times = c.rsplit(":", 2)
        cfg.cuts.append({"substring": substring, "bytes": int(nbytes), "left": int(times)})
    server = Server(("127.0.0.1", 0), Handler)
    server.cfg = cfg
    tmp = cfg.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, cfg.port_file)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
