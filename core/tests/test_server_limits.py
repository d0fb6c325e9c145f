"""No request of any size or speed hurts the web server: over real sockets, against the server started exactly as
`make run` starts it (config.launch.web_server; the image and compose carry the same limits)."""

import json
import os
import re
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from config.launch import ROOT, WEB_LIMITS, web_server
from conftest import free_port

BODY_SECONDS = 2  # REQUEST_BODY_SECONDS for this server
HEADER_SECONDS = int(WEB_LIMITS[WEB_LIMITS.index("--http1-header-read-timeout") + 1]) / 1000


class Server:
    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        env = {**os.environ, "VERIFY_SERVICES": "0", "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
               "REQUEST_BODY_SECONDS": str(BODY_SECONDS)}  # fmt: skip
        self.log = folder / "server.log"
        self.process = subprocess.Popen([sys.executable, "-m", *web_server("127.0.0.1", self.port)], cwd=ROOT,
                                        env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
                                        process_group=0)  # fmt: skip
        deadline = time.monotonic() + 120
        while self.ping() != "HTTP/1.1 200 OK":
            assert self.process.poll() is None and time.monotonic() < deadline, self.log.read_text()[-3000:]
            time.sleep(0.3)

    def connect(self, timeout: float = 30) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

    def ping(self) -> str | None:
        try:
            with self.connect(timeout=10) as connection:
                connection.sendall(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                return status_line(connection)
        except OSError:
            return None

    def rss_mb(self) -> float:
        """The server's memory: its main process and its workers."""
        pids = [self.process.pid, *map(int, subprocess.run(["pgrep", "-g", str(self.process.pid)],
                                                             capture_output=True, text=True).stdout.split())]  # fmt: skip
        total = 0
        for pid in set(pids):
            status = Path(f"/proc/{pid}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        return total / 1024

    def stop(self) -> None:
        os.killpg(self.process.pid, 15)
        self.process.wait(timeout=20)


def status_line(connection: socket.socket) -> str | None:
    """The status line of the answer, or None when the server closed the connection without one."""
    try:
        data = connection.recv(4096)
    except ConnectionResetError:
        return None
    return data.split(b"\r\n", 1)[0].decode() if data else None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = Server(tmp_path_factory.mktemp("server"))
    yield running
    running.stop()


def huge_header(server: Server, megabytes: int) -> str | None:
    """Sends a request whose one header is `megabytes` long (as far as the server reads it)."""
    with server.connect() as connection:
        connection.sendall(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Huge: ")
        chunk = b"a" * 2**16
        try:
            for _ in range(megabytes * 16):
                connection.sendall(chunk)
            connection.sendall(b"\r\n\r\n")
        except OSError:
            pass  # the server stopped reading: what it answered is waiting
        return status_line(connection)


class ServerLimitsTests:
    def test_it_refuses_huge_headers_with_431_and_its_memory_stays_put(self, server):
        before = server.rss_mb()
        assert huge_header(server, 20) == "HTTP/1.1 431 Request Header Fields Too Large"
        for _ in range(3):
            assert huge_header(server, 100) in ("HTTP/1.1 431 Request Header Fields Too Large", None)
        assert server.rss_mb() < before + 50
        assert server.ping() == "HTTP/1.1 200 OK"

    def test_it_refuses_too_many_headers_with_431(self, server):
        with server.connect() as connection:
            many = b"".join(b"X-Field-%d: 1\r\n" % n for n in range(200))
            connection.sendall(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n" + many + b"\r\n")
            assert status_line(connection) == "HTTP/1.1 431 Request Header Fields Too Large"

    def test_connections_that_never_finish_their_headers_are_closed_and_others_are_served(self, server):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
        count = min(1500, min(hard, 4096) - 100)
        stalled = []
        try:
            for _ in range(count):
                connection = server.connect()
                connection.sendall(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                stalled.append(connection)
            started = time.monotonic()
            assert server.ping() == "HTTP/1.1 200 OK"  # another reader is served meanwhile
            assert time.monotonic() - started < 5
            time.sleep(HEADER_SECONDS + 3)
            closed = 0
            for connection in stalled:
                connection.settimeout(5)
                closed += status_line(connection) in (None, "HTTP/1.1 408 Request Timeout")
            assert closed == count
        finally:
            for connection in stalled:
                connection.close()
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

    @pytest.mark.parametrize("path", ["/api/token/", "/accounts/login/"])
    def test_a_body_that_stops_arriving_gets_408(self, server, path):
        with server.connect() as connection:
            connection.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: en\r\n"
                               "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"username\"".encode())  # fmt: skip
            started = time.monotonic()
            answer = b""
            while b"\r\n\r\n" not in answer or not answer.endswith((b"}", b".")):
                part = connection.recv(4096)
                if not part:
                    break
                answer += part
        assert BODY_SECONDS <= time.monotonic() - started < BODY_SECONDS + 10
        head, _sep, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408")
        if path.startswith("/api/"):
            assert json.loads(body)["code"] == "too_slow"
        else:
            assert b"send it again" in body
        assert server.ping() == "HTTP/1.1 200 OK"

    def test_the_image_and_compose_start_it_with_the_same_limits(self):
        compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"]
        image = json.loads(re.search(r"^CMD (.+)$", (ROOT / "Dockerfile").read_text(), re.M).group(1))
        for command in (compose, image):
            assert command[0] == "granian" and command[-1] == "config.asgi:application"
            flags = " ".join(command)
            assert " ".join(WEB_LIMITS) in flags and "--interface asginl" in flags
