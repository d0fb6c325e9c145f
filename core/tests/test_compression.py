"""Pages and JSON go compressed to browsers that accept gzip, except answers that hold a secret and the event
stream (real ASGI server, real Redis; see core/compression.py)."""

import gzip
import json

import httpx
import pytest
from django.http import HttpResponse, JsonResponse
from django.test import RequestFactory
from django.urls import reverse

from core.compression import SMALLEST, CompressionMiddleware, compressible
from trainer.tests.test_event_stream import ended_job, request

GZIP = {"Accept-Encoding": "gzip", "Accept-Language": "en"}
PLAIN = {"Accept-Encoding": "identity", "Accept-Language": "en"}


def raw(url: str, **headers: str) -> tuple[httpx.Response, bytes]:
    """The answer and its body as sent, not decoded."""
    with httpx.stream("GET", url, headers=headers, timeout=30) as response:
        return response, b"".join(response.iter_raw())


def varies_by_encoding(response: httpx.Response) -> bool:
    return "accept-encoding" in [v.strip().lower() for v in response.headers.get("vary", "").split(",")]


class CompressionTests:
    def test_a_json_list_is_compressed_and_is_the_same_json(self, asgi_server, course):
        for path in ("/api/labs/", "/api/concepts/"):
            packed, body = raw(asgi_server.url + path, **GZIP)
            plain, text = raw(asgi_server.url + path, **PLAIN)
            assert packed.status_code == plain.status_code == 200
            assert packed.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
            assert json.loads(gzip.decompress(body)) == json.loads(text)
            assert len(body) < len(text) and int(packed.headers["content-length"]) == len(body)
            assert varies_by_encoding(packed) and varies_by_encoding(plain)

    def test_a_page_that_holds_the_csrf_token_is_not_compressed(self, asgi_server):
        """The log-in form carries the CSRF token and repeats its own URL: BREACH's two ingredients."""
        response, body = raw(asgi_server.url + reverse("login") + "?next=/guess", **GZIP)
        assert response.status_code == 200 and "csrftoken" in response.cookies
        assert "content-encoding" not in response.headers and b"csrfmiddlewaretoken" in body

    def test_the_event_stream_is_never_compressed(self, asgi_server, student, client):
        client.force_login(student)
        job = ended_job(student, steps=200)
        response = request(asgi_server, f"/api/jobs/{job.pk}/events", client.cookies["sessionid"].value,
                           **{"Accept-Encoding": "gzip"})  # fmt: skip
        body = response.read()  # the stream of an ended job closes after its `end`
        assert response.status == 200 and response.getheader("Content-Type").startswith("text/event-stream")
        assert response.getheader("Content-Encoding") is None
        assert body.count(b"event: progress") == 200 and b"event: end" in body

    def test_a_document_is_compressed_from_its_first_answer_and_revalidates_with_a_304(
        self, asgi_server, course
    ):
        url = asgi_server.url + reverse("lesson", args=["test-course", "gradients"])
        first, body = raw(url, **GZIP)
        assert first.status_code == 200 and first.headers["content-encoding"] == "gzip"
        assert b"Gradient" in gzip.decompress(body) and varies_by_encoding(first)
        again = httpx.get(url, headers={**GZIP, "If-None-Match": first.headers["etag"]})
        assert (
            again.status_code == 304 and again.headers["etag"] == first.headers["etag"] and not again.content
        )
        plain = httpx.get(url, headers=PLAIN)
        assert plain.status_code == 200 and "content-encoding" not in plain.headers
        assert plain.content == gzip.decompress(body)
        assert httpx.get(url, headers={**PLAIN, "If-None-Match": plain.headers["etag"]}).status_code == 304


class CompressionRuleTests:
    """What CompressionMiddleware compresses, answer by answer (Django's own middleware does the gzip)."""

    def compressed(self, response: HttpResponse, method: str = "get") -> bool:
        asked = getattr(RequestFactory(), method)("/api/anything/", HTTP_ACCEPT_ENCODING="gzip, br")
        answer = CompressionMiddleware(lambda request: response)(asked)
        return answer.get("Content-Encoding") == "gzip"

    @staticmethod
    def big_json() -> JsonResponse:
        return JsonResponse({"items": [{"step": n, "loss": 1 / (n + 1)} for n in range(100)]})

    def test_a_large_answer_to_get_is_compressed(self):
        assert self.compressed(self.big_json())
        assert self.compressed(HttpResponse("<p>words</p>" * 100, content_type="text/html; charset=utf-8"))

    def test_an_answer_to_anything_but_get_is_not(self):
        """The API token is the answer to a POST."""
        assert not self.compressed(self.big_json(), method="post")

    def test_one_that_sets_the_csrf_cookie_is_not(self):
        response = self.big_json()
        response.set_cookie("csrftoken", "a secret")
        assert not self.compressed(response)

    def test_a_small_one_is_not(self):
        assert not self.compressed(HttpResponse("x" * (SMALLEST - 1), content_type="text/plain"))
        assert self.compressed(HttpResponse("x" * SMALLEST, content_type="text/plain"))

    def test_a_document_is_left_to_the_document_front(self):
        response = HttpResponse("<p>words</p>" * 100)
        response["X-Document-Version"] = "v1"
        assert not self.compressed(response)

    @pytest.mark.parametrize(
        ("content_type", "expected"),
        [
            ("text/html; charset=utf-8", True),
            ("application/json", True),
            ("text/csv", True),
            ("application/problem+json", True),
            ("text/event-stream", False),
            ("image/png", False),
            ("application/octet-stream", False),
        ],
    )
    def test_only_text_is_compressible(self, content_type, expected):
        assert compressible(content_type) is expected
