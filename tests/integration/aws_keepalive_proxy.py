"""A keep-alive HTTP/1.1 front for moto_server, for the connection-reuse checks.

moto_server runs on Werkzeug's development server, which answers every request with
"Connection: close" (Werkzeug 3.x), so no client can keep a connection to it. This front
accepts keep-alive connections and forwards each request unchanged (method, raw target,
every header including Host, body) to moto over a fresh connection, then relays the answer
with a Content-Length and without "Connection: close". Signatures stay valid because the
Host header is passed through as the client signed it.

    python3 tests/integration/aws_keepalive_proxy.py --target-port 5000 [--port 0] [--port-file F]
        [--tls-cert CERT.pem --tls-key KEY.pem]   (serve HTTPS: for the TLS and CA bundle tests)

Every socket wait is bounded (30 s); it stops on SIGTERM/SIGINT, or after --max-seconds.
"""
import argparse
import http.client
import signal
import socket
import ssl
import sys
import threading

TIMEOUT = 30


class Front:
    def __init__(self, target_port, port=0, tls_cert=None, tls_key=None):
        self.target_port = target_port
        self.tls = None
        if tls_cert:
            self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls.load_cert_chain(tls_cert, tls_key)
        self.handshakes = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.requests = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=5)
        self.sock.close()

    def _accept_loop(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        conn.settimeout(TIMEOUT)
        if self.tls:
            try:
                conn = self.tls.wrap_socket(conn, server_side=True)
            except (OSError, ssl.SSLError):
                conn.close()
                return
            self.handshakes += 1
        reader = conn.makefile("rb")
        try:
            while not self.stopping.is_set():
                line = reader.readline(65537)
                if not line:
                    return
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers = []
                length = 0
                while True:
                    h = reader.readline(65537)
                    if h in (b"\r\n", b"\n", b""):
                        break
                    name, value = h.decode("latin-1").split(":", 1)
                    value = value.strip()
                    headers.append((name, value))
                    if name.lower() == "content-length":
                        length = int(value)
                body = reader.read(length) if length else b""
                status, reason, out_headers, out_body = self._forward(method, target, headers, body)
                self.requests += 1
                head = [f"HTTP/1.1 {status} {reason}"]
                for name, value in out_headers:
                    if name.lower() in ("connection", "transfer-encoding", "content-length", "keep-alive"):
                        continue
                    head.append(f"{name}: {value}")
                head.append(f"Content-Length: {len(out_body)}")
                conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + out_body)
        except (OSError, ValueError):
            return
        finally:
            reader.close()
            conn.close()

    def _forward(self, method, target, headers, body):
        upstream = http.client.HTTPConnection("127.0.0.1", self.target_port, timeout=TIMEOUT)
        try:
            upstream.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                if name.lower() in ("connection", "keep-alive"):
                    continue
                upstream.putheader(name, value)
            upstream.endheaders(body if body else None)
            resp = upstream.getresponse()
            data = resp.read()
            return resp.status, resp.reason, resp.getheaders(), data
        finally:
            upstream.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-port", type=int, required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--max-seconds", type=float, default=3600, help="stop by itself after this long")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args()
    front = Front(args.target_port, args.port, args.tls_cert, args.tls_key).start()
    if args.port_file:
        with open(args.port_file, "w") as f:
            f.write(str(front.port))
    print(f"keep-alive front on 127.0.0.1:{front.port} -> 127.0.0.1:{args.target_port}", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait(timeout=args.max_seconds)
    front.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
