"""Clients generated from the served schema work untouched: openapi-python-client's Python client drives the
platform (log in, labs, a job to its end, its metrics and history, a cancellation, a quiz and its attempt)
against the real ASGI server and a real Celery worker; openapi-typescript's types compile with tsc."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def generate_python_client(schema_url: str, folder: Path) -> str:
    """Generates the client package `platform_client` in `folder`; returns the generator's output."""
    schema = folder / "schema.yaml"
    schema.write_bytes(httpx.get(schema_url, timeout=30).content)
    result = subprocess.run(
        [BIN / "openapi-python-client", "generate", "--path", schema, "--meta", "none",
         "--output-path", folder / "platform_client"],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},  # it formats with ruff
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


@pytest.fixture
def platform_client(asgi_server, tmp_path, monkeypatch):
    output = generate_python_client(f"{asgi_server.url}/api/schema/", tmp_path)
    assert "Warning" not in output and "warning" not in output, output
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("platform_client")
    for name in [m for m in sys.modules if m == "platform_client" or m.startswith("platform_client.")]:
        del sys.modules[name]


def wait_for_end(jobs_retrieve, client, job_id: int, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = jobs_retrieve.sync(job_id, client=client)
        if job.status.value in ("succeeded", "failed", "cancelled", "diverged", "stopped"):
            return job
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not end in {timeout} s")


@pytest.mark.worker
class GeneratedPythonClientTests:
    def test_the_generated_client_drives_the_platform_untouched(
        self, platform_client, asgi_server, worker, student, course
    ):
        from platform_client import AuthenticatedClient, Client
        from platform_client.api.accounts import token_create
        from platform_client.api.jobs import (
            jobs_cancel_create,
            jobs_create,
            jobs_metrics_csv_retrieve,
            jobs_retrieve,
        )
        from platform_client.api.labs import labs_list
        from platform_client.api.quizzes import (
            attempts_retrieve,
            quizzes_attempts_create,
            quizzes_list,
            quizzes_retrieve,
        )
        from platform_client.models import (
            AttemptBodyRequest,
            AttemptBodyRequestAnswers,
            CredentialsRequest,
            Error,
            JobSubmitRequest,
            JobSubmitRequestParams,
            LabEnum,
            ValidationError,
        )  # fmt: skip

        anonymous = Client(base_url=asgi_server.url, headers={"Accept-Language": "en"})
        refused = token_create.sync(client=anonymous, body=CredentialsRequest("student", "wrong"))
        assert isinstance(refused, ValidationError) and refused.detail  # a typed error body
        token = token_create.sync(
            client=anonymous, body=CredentialsRequest("student", "correct horse 1")
        ).token
        api = AuthenticatedClient(
            base_url=asgi_server.url, token=token, prefix="Token", headers={"Accept-Language": "en"}
        )

        labs = labs_list.sync(client=api)
        assert "linear-regression" in [lab.slug for lab in labs]

        job = jobs_create.sync(
            client=api,
            body=JobSubmitRequest(
                lab=LabEnum("linear-regression"), params=JobSubmitRequestParams.from_dict({"steps": 201})
            ),
        )
        ended = wait_for_end(jobs_retrieve, api, job.id)
        assert ended.status.value == "succeeded"
        assert set(ended.metrics.additional_keys) >= {"w", "b"}  # a typed model of figures by name
        assert isinstance(ended.metrics["w"], float)
        detail = jobs_retrieve.sync(job.id, client=api, history=True)
        assert [point.step for point in detail.history][-1] == 200  # typed points
        csv = jobs_metrics_csv_retrieve.sync(job.id, client=api)
        assert csv.splitlines()[0].startswith("step") and len(csv.splitlines()) > 5

        long_job = jobs_create.sync(
            client=api,
            body=JobSubmitRequest(
                lab=LabEnum("linear-regression"),
                params=JobSubmitRequestParams.from_dict({"steps": 20000, "report_every": 1}),
            ),
        )
        cancelled = jobs_cancel_create.sync(long_job.id, client=api)
        assert not isinstance(cancelled, Error | ValidationError), cancelled
        assert wait_for_end(jobs_retrieve, api, long_job.id).status.value == "cancelled"

        summary = quizzes_list.sync(client=api)[0]
        quiz = quizzes_retrieve.sync(summary.slug, client=api)
        choice = next(q for q in quiz.questions if q.kind.value == "single")
        right = next(o for o in choice.options if "Against" in o.text_html)
        attempt = quizzes_attempts_create.sync(
            quiz.slug,
            client=api,
            body=AttemptBodyRequest(answers=AttemptBodyRequestAnswers.from_dict({str(choice.id): right.id})),
        )
        assert attempt.number == 1 and attempt.score >= 1
        again = attempts_retrieve.sync(attempt.id, client=api)
        graded = next(q for q in again.questions if q.id == choice.id)
        assert graded.correct and graded.fraction == 1.0
        assert attempts_retrieve.sync(attempt.id + 1000, client=api).detail  # a 404 parses as Error


@pytest.mark.skipif(not shutil.which("node"), reason="Node.js is not installed")
def test_the_typescript_types_compile(asgi_server, tmp_path):
    """openapi-typescript (npm, installed by `make test` into node_modules) turns the served schema into
    types, and tsc compiles them, with a small use of them, without an error."""
    bin_folder = ROOT / "node_modules" / ".bin"
    assert (bin_folder / "openapi-typescript").exists(), "run `npm ci` (make test does) first"
    schema = tmp_path / "schema.yaml"
    schema.write_bytes(httpx.get(f"{asgi_server.url}/api/schema/", timeout=30).content)
    subprocess.run(
        [bin_folder / "openapi-typescript", schema, "-o", tmp_path / "api.d.ts"], check=True, timeout=300
    )
    (tmp_path / "use.ts").write_text(
        'import type { components, paths } from "./api";\n'
        'type Job = components["schemas"]["JobDetail"];\n'
        'type Quiz = paths["/api/quizzes/{slug}/"]["get"]["responses"]["200"]["content"]["application/json"];\n'
        "export const status = (job: Job): string => job.status;\n"
        "export const count = (quiz: Quiz): number => quiz.questions.length;\n"
    )
    result = subprocess.run(
        [bin_folder / "tsc", "--noEmit", "--strict", "--skipLibCheck", tmp_path / "use.ts", tmp_path / "api.d.ts"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
