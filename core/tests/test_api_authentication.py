"""Every API route answers a request without credentials it needs, or with a token that is not valid, with 401
and the `WWW-Authenticate: Token` challenge (DRF's token class comes first in the settings); 403 is for a known
user who may not."""

import re

import pytest
import yaml
from django.test import Client

BAD = {"HTTP_AUTHORIZATION": "Token 0123456789abcdef0123456789abcdef01234567", "HTTP_ACCEPT_LANGUAGE": "en"}


def operations(client) -> list[tuple[str, str, dict]]:
    """(method, path with its parameters filled in, operation) for every DRF operation in the schema."""
    schema = yaml.safe_load(client.get("/api/schema/").content)
    found = []
    for path, methods in schema["paths"].items():
        if path.endswith("/events"):  # the event stream, not a DRF view: trainer/tests/test_event_stream.py
            continue
        filled = re.sub(r"\{[^}]*(id|pk)\}", "1", path)
        filled = re.sub(r"\{[^}]*\}", "x", filled)
        found += [(method, filled, operation) for method, operation in methods.items()]
    return found


def send(client: Client, method: str, path: str, **headers: str):
    return getattr(client, method)(path, data={} if method != "get" else None, content_type="application/json",
                                   **headers)  # fmt: skip


@pytest.mark.django_db
class ApiAuthenticationTests:
    def test_it_answers_a_bad_token_with_401_and_the_token_challenge_everywhere(self, client):
        for method, path, _operation in operations(client):
            response = send(Client(), method, path, **BAD)
            assert response.status_code == 401, f"{method} {path}: {response.status_code}"
            assert response["WWW-Authenticate"] == "Token", f"{method} {path}"

    def test_it_answers_a_missing_token_with_401_wherever_one_is_needed(self, client):
        needing = [(m, p) for m, p, o in operations(client) if o.get("security") and {} not in o["security"]]
        assert ("get", "/api/jobs/") in needing and ("post", "/api/jobs/") in needing
        for method, path in needing:
            response = send(Client(), method, path, HTTP_ACCEPT_LANGUAGE="en")
            assert response.status_code == 401, f"{method} {path}: {response.status_code}"
            assert response["WWW-Authenticate"] == "Token", f"{method} {path}"

    def test_a_known_user_who_may_not_gets_403(self, student):
        signed_in = Client(enforce_csrf_checks=True)
        signed_in.force_login(student)
        answer = signed_in.post("/api/jobs/", {}, content_type="application/json")  # no CSRF token
        assert answer.status_code == 403
        assert "WWW-Authenticate" not in answer

    def test_the_schema_names_the_token_prefix(self, client):
        schemes = yaml.safe_load(client.get("/api/schema/").content)["components"]["securitySchemes"]
        assert schemes["tokenAuth"]["name"] == "Authorization"
        assert '"Token"' in schemes["tokenAuth"]["description"]

    def test_the_event_streams_answers_are_declared(self, client):
        schema = yaml.safe_load(client.get("/api/schema/").content)
        responses = schema["paths"]["/api/jobs/{job_id}/events"]["get"]["responses"]
        assert {"200", "204", "401", "404"} <= set(responses)
