#!/usr/bin/python3
"""fake_target.py - broken coordinators for conform's error tests.

  fake_target.py MODE   (prints "listening on 127.0.0.1:PORT", then serves)

MODE:
  garbage  every request gets 200 and a body that is not JSON
  hang     connections are accepted and read, and never answered
  half     the health check and the runner list answer like coordd; every
           other request gets 200 and a body that is not JSON
  stall    the health check and the runner list answer like coordd; every
           other request is read and never answered
  bytes    like half, but the other bodies are bytes that are not UTF-8 text
           (stray bytes, control characters, terminal escapes, markup)
"""
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    mode = "garbage"

    def log_message(self, *args):
        pass

    def answer(self, status, body, kind):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        like_coordd = self.mode in ("half", "stall", "bytes")
        if like_coordd and self.path == "/health":
            self.answer(200, '{"status":"ok"}', "application/json")
        elif like_coordd and self.path == "/runners":
            self.answer(200, '{"runners":[]}', "application/json")
        elif self.mode == "stall":
            time.sleep(3600)
        elif self.mode == "bytes":
            self.answer(200, b"\xff\xfe caf\xc3 <x> & \x01 \xef\xbf\xbf \x1b]0;title\x07 \xc2\x9b2J end",
                        "text/plain")
        else:
            self.answer(200, "<html>hello, this is not JSON</html>", "text/html")

    do_GET = do_POST = do_PUT = do_DELETE = handle_any


def hang(listener):
    held = []
    while True:
        conn, _ = listener.accept()
        held.append(conn)  # read nothing back, answer nothing, close nothing


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "garbage"
    if mode == "hang":
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        print("listening on 127.0.0.1:%d" % listener.getsockname()[1], flush=True)
        hang(listener)
        return
    Handler.mode = mode
    ThreadingHTTPServer.daemon_threads = True
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("listening on 127.0.0.1:%d" % server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
