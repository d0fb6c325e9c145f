"""One request never changes what everyone reads: whatever decides which kept copy a reader gets (the page front,
`/api/me/`'s front) is exactly what decided how the copy was made. Each header a front keys on is sent twice, in
both orders, in odd case and spacing, over a real server; then clean readers of each language and encoding must
get their own page."""

import gzip
import http.client
import re
import socket

import pytest
from django.urls import reverse

from core.documents import accepts_gzip

LESSON = reverse("lesson", args=["test-course", "gradients"])
LANG = re.compile(rb'<html lang="([^"]+)"')

# Requests that ask in two ways at once: (header line, ...), each sent exactly as written.
HOSTILE = [
    ("Accept-Language: en", "Accept-Language: zh-hans"),
    ("Accept-Language: zh-hans", "Accept-Language: en"),
    ("accept-LANGUAGE:    ZH-Hans   ", "Accept-Language:en"),
    ("Accept-Language: en;q=0.5,  zh-hans ; q=0.9",),
    ("Cookie: django_language=en", "Cookie: django_language=zh-hans"),
    ("Cookie: django_language=zh-hans", "Cookie: django_language=en"),
    ("COOKIE:django_language=zh-hans ;  django_language=en",),
    ("Accept-Language: en", "Cookie: django_language=zh-hans"),
    ("Accept-Language: zh-hans", "Cookie: django_language=en", "Cookie: django_language=zh-hans"),
    ("Accept-Encoding: gzip", "Accept-Encoding: gzip;q=0"),
    ("Accept-Encoding: gzip;q=0", "Accept-Encoding: gzip"),
    ("Accept-Encoding: gzip;q=0.0000",),
    ("Accept-Encoding: gzip;Q=0",),
    ("ACCEPT-ENCODING:  GZIP ; q = 0 , deflate",),
    ("Accept-Encoding: *;q=0",),
    ("Accept-Language: zh-hans", "Accept-Encoding: gzip", "Accept-Language: en", "Accept-Encoding: identity"),
]
CLEAN = {  # a clean reader: the headers a browser sends, and the language and encoding it must get
    "en": (("Accept-Language: en",), "en", False),
    "zh": (("Accept-Language: zh-hans",), "zh-hans", False),
    "en gzip": (("Accept-Language: en", "Accept-Encoding: gzip, deflate, br"), "en", True),
    "zh gzip": (("Accept-Language: zh-CN,zh;q=0.9", "Accept-Encoding: gzip"), "zh-hans", True),
    "zh cookie": (("Accept-Language: en", "Cookie: django_language=zh-hans"), "zh-hans", False),
}


def get(server, path: str, lines: tuple[str, ...]) -> tuple[int, http.client.HTTPMessage, bytes]:
    """A GET with exactly these header lines (repeats and spacing as written), over a raw socket."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        head = "".join(f"{line}\r\n" for line in ("Host: 127.0.0.1", *lines, "Connection: close"))
        connection.sendall(f"GET {path} HTTP/1.1\r\n{head}\r\n".encode("latin-1"))
        response = http.client.HTTPResponse(connection)
        response.begin()
        return response.status, response.headers, response.read()


def language_and_encoding(headers, body: bytes) -> tuple[str, bool]:
    gzipped = headers.get("Content-Encoding") == "gzip"
    page = gzip.decompress(body) if gzipped else body
    return LANG.search(page).group(1).decode(), gzipped


@pytest.mark.django_db(transaction=True)
class KeptCopyTests:
    @pytest.mark.parametrize("lines", HOSTILE, ids=lambda lines: " | ".join(lines))
    def test_one_request_never_changes_what_clean_readers_get(self, course, asgi_server, lines):
        status, headers, body = get(asgi_server, LESSON, lines)
        assert status == 200
        language, gzipped = language_and_encoding(headers, body)
        assert headers["Content-Language"] == language  # it says what it is
        if gzipped:
            joined = ",".join(
                line.split(":", 1)[1] for line in lines if line.lower().startswith("accept-encoding")
            )
            assert accepts_gzip(joined)
        for _round in range(
            2
        ):  # the first clean request may be the one that is kept; the second is served kept
            for name, (clean, want_language, want_gzip) in CLEAN.items():
                status, headers, body = get(asgi_server, LESSON, clean)
                assert status == 200
                assert language_and_encoding(headers, body) == (want_language, want_gzip), name

    def test_a_signed_in_readers_own_answer_is_kept_under_what_it_is(
        self, course, asgi_server, client, student
    ):
        client.force_login(student)
        session = client.cookies["sessionid"].value
        _status, headers, _body = get(asgi_server, "/api/me/", (f"Cookie: sessionid={session}",))
        csrf = re.search(r"csrftoken=([^;]+)", " ".join(headers.get_all("Set-Cookie"))).group(1)
        cookie = f"Cookie: sessionid={session}; csrftoken={csrf}"
        hostile = (cookie, "Accept-Language: zh-hans", "Accept-Language: en", "Accept-Encoding: gzip;q=0")
        for lines in (hostile, hostile):  # made, then (perhaps) kept
            _status, headers, _body = get(asgi_server, "/api/me/", lines)
            assert "Content-Encoding" not in headers
        for lines, language in (
            ((cookie, "Accept-Language: zh-hans"), "zh-hans"),
            ((cookie, "Accept-Language: en"), "en"),
        ):
            for _round in range(2):
                status, headers, _body = get(asgi_server, "/api/me/", lines)
                assert status == 200 and headers["Content-Language"] == language


class AcceptsGzipTests:
    @pytest.mark.parametrize(
        "header",
        ["gzip;q=0", "gzip;q=0.0000", "gzip;Q=0", " GZIP ; q = 0 ", "gzip;q=0, *", "*;q=0", "", "identity",
         "deflate, br", "gzip;q=abc", "gzip;q=0.000000001", "gzip, gzip;q=0", "gzip;q=0, gzip"],
    )  # fmt: skip
    def test_it_refuses_what_does_not_take_gzip(self, header):
        assert not accepts_gzip(header)

    @pytest.mark.parametrize(
        "header", ["gzip", "GZIP", "gzip;q=0.001", "deflate, gzip;q=0.5", "*", "br, *;q=1"]
    )
    def test_it_takes_what_does(self, header):
        assert accepts_gzip(header)
