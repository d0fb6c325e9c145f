"""Every write operation in the API schema, sent a corpus of hostile bodies: each gets a 4xx (never a 500),
and nothing is stored. The operations come from /api/schema/, so a new one without a baseline fails here."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from rest_framework.authtoken.models import Token

from accounts.models import Preferences
from exercises.models import Attempt as CodeAttempt
from exercises.models import Draft
from experiments.models import Experiment, Prediction, Submission
from lessons.models import Reading
from quizzes.models import Attempt, Kind, Quiz, Response
from trainer.catalog import LABS
from trainer.catalog.lab import specs
from trainer.models import Job

NESTED_20 = json.loads("[" * 20 + "]" * 20)
VALUES = {  # hostile wherever a value goes
    "lone surrogate": "a\ud800b",
    "NUL": "a\x00b",
    "overlong": "x" * 200_000,
    "nested 20 deep": NESTED_20,
}
NUMBERS = {
    "boolean": True,
    "Arabic-Indic digits": "١٢",
    "superscript digit": "²",
    "full-width digits": "１２",
    "400-digit integer": 10**400,
    "negative 400-digit integer": -(10**400),
    "1e999": "INFINITE",  # written into the body as the JSON number 1e999 (json.dumps cannot)
    "-1e999": "-INFINITE",
}
BOOLEANS = {"object": {}, "list": [1], "number": 5, "word": "no", "null": None}


def dumps(body) -> bytes:
    return json.dumps(body).encode().replace(b'"-INFINITE"', b"-1e999").replace(b'"INFINITE"', b"1e999")


RAW = {  # hostile as a whole body
    "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "100,000 unknown fields": json.dumps({f"field{n}": 0 for n in range(100_000)}).encode(),
    "NaN": b'{"x": NaN}',
    "not UTF-8": b'{"x": "\xff"}',
}


@pytest.fixture
def world(client, course, student, settings):
    """A signed-in learner with an attempt (an essay to rate) and a job, and generous throttles: what is
    measured is validation, not rate limits."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        "anonymous-write": "10000/minute", "learner-write": "10000/minute"}}  # fmt: skip
    settings.JOBS_PER_LEARNER = 100
    quiz = Quiz.objects.get(slug="gradients")
    essay = quiz.questions.create(kind=Kind.ESSAY, name="explain", text_md="Explain gradient descent.")
    client.force_login(student)
    attempt = client.post("/api/quizzes/gradients/attempts/", {"answers": {str(essay.pk): "Downhill."}},
                          content_type="application/json").json()["id"]  # fmt: skip
    job = Job.objects.create(owner=student, lab="linear-regression", params={}, status=Job.Status.SUCCEEDED)
    Experiment.objects.create(
        slug="gradients", lesson=quiz.lesson, lab="linear-regression", title_en="Steps", predict_en="How many?",
        prediction_kind="number", runs=[{"settings": {}}], grading={"kind": "value", "metric": "loss"},
        instructions_md_en="Run it.", explanation_md_en="Because.",
    )  # fmt: skip
    return {"quiz": quiz, "essay": essay, "attempt": attempt, "job": job}


def baselines(world) -> dict[str, dict]:
    """A valid body per request schema: the corpus changes one thing at a time."""
    return {
        "AttemptBodyRequest": {"answers": {str(world["essay"].pk): "Downhill."}},
        "RateBodyRequest": {"question": world["essay"].pk, "fraction": 1},
        "JobSubmitRequest": {"lab": "linear-regression", "params": {}},
        "GenerateRequest": {"prompt": "a", "length": 10},
        "CredentialsRequest": {"username": "student", "password": "correct horse 1"},
        "PredictionRequest": {"prediction": 1},
        "SubmissionRequest": {"jobs": [world["job"].pk], "answer": 1},
        "EstimateRequest": {"params": {}},
        "AccountDeleteBodyRequest": {"password": "not the password"},  # a wrong one: nothing is deleted
        "ReadingRequest": {"section": ""},
        "PreferencesRequest": {"theme": "dark"},
        "CodeRequest": {"source": "def gradient_step(w, b, x, y, lr):\n    return w, b\n"},
        "TrainWithCodeRequest": {"params": {}},
    }


def keys(world, schema: str) -> dict[str, dict]:
    """Inside the objects: per key a body may hold, the hostile values for it."""
    if schema == "AttemptBodyRequest":
        out = {}
        for question in world["quiz"].questions.all():
            hostile = dict(VALUES)
            if question.kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.TRUEFALSE):
                hostile |= NUMBERS
            if question.kind == Kind.NUMERIC:  # a typed number is read after NFKC: "１２" and "²" are fine
                hostile |= {
                    "boolean": True,
                    "Arabic-Indic digits": "١٢",
                    "a number over its bound": "1" * 101,
                    "400-digit integer": 10**400,
                    "1e999": "INFINITE",
                    "-1e999": "-INFINITE",
                }
            if question.kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.TRUEFALSE):
                option = question.answers.first().pk
                hostile |= {"duplicate options": [option, option], "option as digits ²": f"{option}²"}
            if question.kind in (Kind.ESSAY, Kind.SHORT):
                hostile["a text over its bound"] = "x" * 20_001
            out[str(question.pk)] = hostile
        return {"answers": out}
    if schema in ("JobSubmitRequest", "EstimateRequest"):
        lab = LABS["linear-regression"]
        hostile = {name: {**VALUES, **NUMBERS} for name, (spec, _d) in specs(lab.config).items()
                   if spec.kind in ("int", "float")}  # fmt: skip
        switches = LABS["overfitting"]  # a lab with a true/false setting: only true or false is one
        if schema == "EstimateRequest":
            return {"params": hostile}
        return {"params": hostile, "lab=overfitting params": {
            name: BOOLEANS for name, (spec, _d) in specs(switches.config).items() if spec.kind == "bool"}}  # fmt: skip
    return {}


def stored(world) -> tuple:
    essay = Response.objects.get(question=world["essay"])
    return (Attempt.objects.count(), Response.objects.count(), Job.objects.count(), Token.objects.count(),
            essay.given, essay.fraction, Job.objects.get(pk=world["job"].pk).status,
            Prediction.objects.count(), Submission.objects.count(), Reading.objects.count(),
            Preferences.objects.count(), CodeAttempt.objects.count(), Draft.objects.count())  # fmt: skip


def write_operations(client) -> Iterator[tuple[str, str, str | None]]:
    schema = client.get("/api/schema/?format=json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "put", "patch", "delete"):
                body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
                yield method, path, body.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1] or None


def bodies(world, schema: str) -> Iterator[tuple[str, bytes]]:
    base = baselines(world)[schema]
    for name, raw in RAW.items():
        yield name, raw
    first = next(iter(base))
    yield (
        "a key named twice",
        json.dumps(base)[:-1].encode() + f', "{first}": {json.dumps(base[first])}}}'.encode(),
    )
    for field in base:
        for name, value in {**VALUES, **NUMBERS}.items():
            if isinstance(base[field], str) and name in NUMBERS and name != "boolean":
                continue  # digits are a valid username or password
            yield f"{field} = {name}", dumps({**base, field: value})
    for field, per_key in keys(world, schema).items():
        for key, hostile in per_key.items():
            for name, value in hostile.items():
                if field == "lab=overfitting params":
                    yield f"overfitting {key} = {name}", dumps({"lab": "overfitting", "params": {key: value}})
                    continue
                yield f"{field}[{key}] = {name}", dumps({**base, field: {key: value}})


@pytest.mark.django_db
class HostileBodyTests:
    def test_every_write_operation_refuses_every_hostile_body_and_stores_nothing(self, client, world):
        operations = list(write_operations(client))
        assert {path for _m, path, _s in operations} >= {"/api/quizzes/{slug}/attempts/", "/api/jobs/"}
        before, tried = stored(world), 0
        for method, path, schema in operations:
            slug = {"/api/labs/": "linear-regression", "/api/exercises/": "linear-gradient-step"}.get(
                path[: path.index("/", 5) + 1], "gradients"
            )  # a lab, an exercise, or a quiz
            url = path.format(slug=slug, attempt_id=world["attempt"], job_id=world["job"].pk,
                              course_slug=world["quiz"].lesson.course.slug, lesson_slug=world["quiz"].lesson.slug)  # fmt: skip
            if schema is None:  # no body is read: what is sent cannot break it
                for name, raw in RAW.items():
                    response = client.generic(method.upper(), url, raw, content_type="application/json")
                    assert response.status_code < 500, (method, path, name)
                continue
            assert schema in baselines(world), f"{method} {path}: no baseline for {schema}"
            for name, raw in bodies(world, schema):
                response = client.generic(method.upper(), url, raw, content_type="application/json")
                allowed = (400, 429) if path == "/api/token/" else (400,)  # repeated failures pause log-ins
                assert response.status_code in allowed, (method, path, name, response.status_code)
                assert response["Content-Type"] == "application/json", (method, path, name)
                tried += 1
        assert stored(world) == before
        assert tried > 150
