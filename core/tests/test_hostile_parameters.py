"""Every parameter of every operation in /api/schema/ (path and query), sent the values that once gave a
500: a NUL character, a 400-digit integer, ±1e999, an object where a boolean goes. Each is a 4xx or an
ordinary answer, never a 500, and nothing is stored. On PostgreSQL too (CI runs the suite there): a NUL in a
filter was a 500 there alone."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest

from .test_hostile_bodies import stored, world  # noqa: F401  (the fixture: a learner with an attempt and a job)

HOSTILE = {
    "NUL": "a\x00b",
    "NUL alone": "\x00",
    "400-digit integer": "1" * 400,
    "negative 400-digit integer": "-" + "9" * 400,
    "1e999": "1e999",
    "-1e999": "-1e999",
    "object": "{}",
    "not UTF-8": "%FF%FE",
}


def operations(client) -> Iterator[tuple[str, str, list[dict]]]:
    schema = client.get("/api/schema/?format=json").json()
    for path, by_method in schema["paths"].items():
        shared = by_method.get("parameters", [])
        for method, operation in by_method.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method, path, shared + operation.get("parameters", [])


def address(path: str, made: dict, parameter: str | None = None, value: str = "") -> str:
    """The operation's address with good path values, except `parameter`, which gets `value` (raw)."""
    good = {"slug": "gradients", "attempt_id": made["attempt"], "job_id": made["job"].pk,
            "course_slug": "test-course", "lesson_slug": "convolution", "id": made["attempt"]}  # fmt: skip
    if path.startswith("/api/labs/"):
        good["slug"] = "linear-regression"
    if path.startswith("/api/exercises/"):
        good["slug"] = "linear-gradient-step"
    filled = {name: (value if name == parameter else quote(str(v), safe="")) for name, v in good.items()}
    return path.format(**filled)


def encoded(value: str) -> str:
    return value if value.startswith("%") else quote(value, safe="")


@pytest.mark.django_db
class HostileParameterTests:
    def test_every_parameter_of_every_operation_refuses_hostile_values(self, client, world):  # noqa: F811
        before, tried = stored(world), 0
        found = list(operations(client))
        assert any(p["in"] == "query" for _m, _p, params in found for p in params)
        for method, path, parameters in found:
            if path.endswith("/events"):  # the event stream is an ASGI endpoint of its own, tested there
                continue
            for parameter in parameters:
                for name, value in HOSTILE.items():
                    if parameter["in"] == "path":
                        url = address(path, world, parameter["name"], encoded(value))
                    elif parameter["in"] == "query":
                        url = f"{address(path, world)}?{parameter['name']}={encoded(value)}"
                    else:
                        continue
                    response = client.generic(method.upper(), url, b"{}", content_type="application/json")
                    what = (method, path, parameter["name"], name, response.status_code)
                    assert response.status_code < 500, what
                    if "NUL" in name or "UTF-8" in name:
                        assert response.status_code in (400, 404), what
                    if parameter.get("schema", {}).get("type") in ("integer", "number", "boolean"):
                        assert 400 <= response.status_code < 500, what
                    tried += 1
        assert stored(world) == before
        assert tried > 50

    @pytest.mark.parametrize("where", ["/api/search/?q=", "/api/jobs/?lab=", "/api/attempts/?quiz=",
                                       "/api/experiments/?lab=", "/search/?q="])  # fmt: skip
    def test_a_nul_in_a_filter_is_a_clear_400(self, client, world, where):  # noqa: F811
        response = client.get(where + "%00", HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 400
        assert "NUL" in response.content.decode()
