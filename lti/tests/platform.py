"""A small LTI 1.3 platform for the tests, standing in for Moodle or Canvas: its own RSA key and key set,
dynamic registration, the OIDC authorisation step, signed launches (resource link and deep linking), an
OAuth2 token endpoint that checks the tool's signed client assertion against the tool's key set, Assignment
and Grade Services (line items, scores) and Names and Role Provisioning Services. The services are a real HTTP
server on 127.0.0.1 (a thread); the tool reaches them with `requests`, as it reaches an LMS.

Built on PyJWT + cryptography (both pulled in by pylti1p3), not on the tool's code.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def new_key(kid: str) -> tuple[Any, dict]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
    public.update(kid=kid, alg="RS256", use="sig")
    return private, public


@dataclass
class LmsPlatform:
    registration_token: str = "reg-token-1"
    client_id: str = "tool-client-1"
    deployment_id: str = "deployment-1"
    course_id: str = "course-101"
    tool: dict = field(default_factory=dict)  # what the tool sent to /register
    tool_jwks: dict = field(default_factory=dict)  # the tool's key set (the test reads it from /lti/jwks/)
    lineitems: dict[str, dict] = field(default_factory=dict)
    scores: list[dict] = field(default_factory=list)
    members: list[dict] = field(default_factory=list)
    fail_scores: int = 0  # how many score posts to answer with 503 before taking them
    fail_roster: bool = False  # answer the roster's reads with 503
    roster_reads: list[str] = field(default_factory=list)  # the course of each read of a roster
    tokens: set[str] = field(default_factory=set)
    host: str = "127.0.0.1"  # "localhost": another site than the tool's 127.0.0.1, as an LMS is in a browser
    tool_login: str = ""  # the tool's OIDC login address, for the course page's frame
    # Who is signed in to the LMS in the browser, and what the browser's next launch is.
    browser_user: tuple[str, list[str]] = ("learner-1", [LEARNER])
    browser_message: str = "LtiResourceLinkRequest"
    placed: list[dict] = field(default_factory=list)  # items the browser brought back from the tool's picker
    key_set_reads: int = 0

    def __post_init__(self) -> None:
        self.key, self.jwk = new_key("platform-key-1")
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://{self.host}:{self.server.server_address[1]}"
        self.issuer = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- What the platform's pages do in the browser ---------------------------------------------------

    def registration_query(self) -> dict[str, str]:
        return {
            "openid_configuration": f"{self.url}/.well-known/openid-configuration",
            "registration_token": self.registration_token,
        }

    def login_params(self, *, target: str, hint: str = "user-hint") -> dict[str, str]:
        return {
            "iss": self.issuer,
            "login_hint": hint,
            "target_link_uri": target,
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }

    def id_token(self, *, nonce: str, sub: str, roles: list[str], message: str = "LtiResourceLinkRequest",
                 key: Any = None, kid: str = "platform-key-1", algorithm: str = "RS256",
                 **claims: Any) -> str:  # fmt: skip
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.issuer,
            "aud": [self.client_id],
            "azp": self.client_id,
            "sub": sub,
            "nonce": nonce,
            "iat": now,
            "exp": now + 300,
            "given_name": sub.title(),
            "family_name": "Example",
            "email": f"{sub}@school.example",
            LTI + "message_type": message,
            LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id,
            LTI + "roles": roles,
            LTI + "context": {"id": self.course_id, "title": "Physics 101", "type": [
                "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"]},
            LTI + "tool_platform": {"guid": "lms-1", "name": "Test LMS", "url": self.url},
            LTI + "target_link_uri": claims.pop("target", ""),
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.url}/memberships?context={self.course_id}", "service_versions": ["2.0"]},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                          "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
                          "https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                "lineitems": f"{self.url}/lineitems",
                **({"lineitem": claims.pop("lineitem")} if "lineitem" in claims else {})},
        }  # fmt: skip
        if message == "LtiResourceLinkRequest":
            body[LTI + "resource_link"] = {"id": claims.pop("resource_link", "link-1"), "title": "Activity"}
        else:
            body["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": f"{self.url}/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "dl-data-1",
            }
        body.update(claims)
        if algorithm == "none":
            return jwt.encode(body, None, algorithm="none", headers={"kid": kid})
        return jwt.encode(body, key or self.key, algorithm=algorithm, headers={"kid": kid})

    def deep_link_return(self, token: str) -> list[dict]:
        """What the LMS does with the tool's deep-linking response: checks it, then makes a resource link (and
        a line item where one is asked for) per item. Returns the items with the links' ids."""
        header = jwt.get_unverified_header(token)
        key = next(k for k in self.tool_jwks["keys"] if k["kid"] == header["kid"])
        body = jwt.decode(token, RSAAlgorithm.from_jwk(json.dumps(key)), algorithms=["RS256"],
                          audience=self.issuer, issuer=self.client_id)  # fmt: skip
        assert body[LTI + "message_type"] == "LtiDeepLinkingResponse"
        assert body["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "dl-data-1"
        items = body["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
        for number, item in enumerate(items, start=1):
            item["resource_link"] = f"placed-{number}"
            if "lineItem" in item:
                item["lineitem"] = self._lineitem_create(
                    {**item["lineItem"], "resourceLinkId": item["resource_link"]}
                )
        return items

    # --- Services ---------------------------------------------------------------------------------------

    def token_for(self, form: dict[str, str]) -> tuple[int, dict]:
        assertion = form.get("client_assertion", "")
        try:
            header = jwt.get_unverified_header(assertion)
            key = next(k for k in self.tool_jwks["keys"] if k["kid"] == header.get("kid"))
            body = jwt.decode(assertion, RSAAlgorithm.from_jwk(json.dumps(key)), algorithms=["RS256"],
                              audience=f"{self.url}/token")  # fmt: skip
        except (StopIteration, jwt.InvalidTokenError):
            return 401, {"error": "invalid_client"}
        if body["iss"] != self.client_id or body["sub"] != self.client_id:
            return 401, {"error": "invalid_client"}
        token = secrets.token_urlsafe(16)
        self.tokens.add(token)
        return 200, {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": form.get("scope"),
        }

    def _lineitem_create(self, item: dict) -> str:
        url = f"{self.url}/lineitems/{uuid.uuid4().hex[:8]}"
        self.lineitems[url] = {**item, "id": url}
        return url


def _handler(platform: LmsPlatform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _authorised(self) -> bool:
            given = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            return given in platform.tokens

        def _page(self, html: str) -> None:
            data = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path == "/course":  # the LMS's course page, the tool in a frame
                query = urlencode(
                    platform.login_params(target=platform.tool_login.replace("/login/", "/launch/"))
                )
                return self._page(f'<!doctype html><title>Physics 101</title><h1>Physics 101</h1>'
                                  f'<iframe id="tool" src="{platform.tool_login}?{query}" width="800" height="500">'
                                  f'</iframe>')  # fmt: skip
            if path == "/auth":  # OIDC authorisation: the signed launch, posted back by the browser
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                sub, roles = platform.browser_user
                token = platform.id_token(
                    nonce=query["nonce"], sub=sub, roles=roles, message=platform.browser_message
                )
                return self._page(f'<!doctype html><form method="post" action="{escape(query["redirect_uri"])}">'
                                  f'<input type="hidden" name="id_token" value="{token}">'
                                  f'<input type="hidden" name="state" value="{escape(query["state"])}"></form>'
                                  f"<script>document.forms[0].submit()</script>")  # fmt: skip
            if path == "/.well-known/openid-configuration":
                if self.headers.get("Authorization") != f"Bearer {platform.registration_token}":
                    return self._send(401, {"error": "no registration token"})
                return self._send(200, {
                    "issuer": platform.issuer,
                    "authorization_endpoint": f"{platform.url}/auth",
                    "token_endpoint": f"{platform.url}/token",
                    "jwks_uri": f"{platform.url}/jwks",
                    "registration_endpoint": f"{platform.url}/register",
                    "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                        "product_family_code": "test-lms", "version": "1.0"},
                })  # fmt: skip
            if path == "/jwks":
                platform.key_set_reads += 1
                return self._send(200, {"keys": [platform.jwk]})
            if not self._authorised():
                return self._send(401, {"error": "no access token"})
            if path == "/lineitems":
                return self._send(200, list(platform.lineitems.values()))
            if path == "/memberships":
                platform.roster_reads.append(parse_qs(urlsplit(self.path).query).get("context", [""])[0])
                if platform.fail_roster:
                    return self._send(503, {"error": "roster service down"})
                return self._send(200, {"id": f"{platform.url}/memberships",
                                        "context": {"id": platform.course_id, "title": "Physics 101"},
                                        "members": platform.members},
                                  "application/vnd.ims.lti-nrps.v2.membershipcontainer+json")  # fmt: skip
            if f"{platform.url}{path}" in platform.lineitems:
                return self._send(200, platform.lineitems[f"{platform.url}{path}"])
            return self._send(404, {"error": "not found"})

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            if path == "/deep-link-return":  # the browser brings the tool's signed choice back
                form = {k: v[0] for k, v in parse_qs(self._body().decode()).items()}
                platform.placed += platform.deep_link_return(form["JWT"])
                return self._page("<!doctype html><title>Placed</title><h1>Placed in Physics 101</h1>")
            if path == "/register":
                if self.headers.get("Authorization") != f"Bearer {platform.registration_token}":
                    return self._send(401, {"error": "no registration token"})
                platform.tool = json.loads(self._body())
                answer = {**platform.tool, "client_id": platform.client_id}
                answer["https://purl.imsglobal.org/spec/lti-tool-configuration"] = {
                    **platform.tool["https://purl.imsglobal.org/spec/lti-tool-configuration"],
                    "deployment_id": platform.deployment_id,
                }
                return self._send(200, answer)
            if path == "/token":
                form = {k: v[0] for k, v in parse_qs(self._body().decode()).items()}
                return self._send(*platform.token_for(form))
            if not self._authorised():
                return self._send(401, {"error": "no access token"})
            if path == "/lineitems":
                return self._send(
                    201, platform.lineitems[platform._lineitem_create(json.loads(self._body()))]
                )
            matched = re.fullmatch(r"(/lineitems/\w+)/scores", path)
            if matched and f"{platform.url}{matched.group(1)}" in platform.lineitems:
                body = json.loads(self._body())
                if platform.fail_scores > 0:
                    platform.fail_scores -= 1
                    return self._send(503, {"error": "gradebook busy"})
                assert self.headers.get("Content-Type") == "application/vnd.ims.lis.v1.score+json"
                platform.scores.append({**body, "lineitem": f"{platform.url}{matched.group(1)}"})
                return self._send(200, {})
            return self._send(404, {"error": "not found"})

    return Handler
