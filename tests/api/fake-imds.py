#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A stand-in for EC2's instance metadata service, IMDSv2 only, on 127.0.0.1 and a free port (printed as
# "port N" once it listens): PUT /latest/api/token with a TTL header hands out a token, and GET
# /latest/user-data answers 401 without that token, 404 while USER_DATA_FILE does not exist, and the file
# as it is at the time of the request otherwise. Every request is logged to stderr as "METHOD PATH STATUS".
# Usage: fake-imds.py USER_DATA_FILE
import http.server
import secrets
import sys

TOKEN = secrets.token_urlsafe(32)


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        if self.path != "/latest/api/token":
            return self.answer(404)
        # IMDS refuses a token request without a TTL (HTTP 400).
        if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "").isdigit():
            return self.answer(400)
        self.answer(200, TOKEN.encode())

    def do_GET(self):
        if self.headers.get("X-aws-ec2-metadata-token") != TOKEN:
            return self.answer(401)
        if self.path != "/latest/user-data":
            return self.answer(404)
        try:
            with open(sys.argv[1], "rb") as f:
                self.answer(200, f.read())
        except FileNotFoundError:
            self.answer(404)

    def log_request(self, code="-", size="-"):
        print(f"{self.command} {self.path} {code}", file=sys.stderr, flush=True)

    def log_message(self, format, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(f"port {server.server_address[1]}", flush=True)
server.serve_forever()
