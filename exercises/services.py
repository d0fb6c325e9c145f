"""Changes to a learner's attempts and drafts."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import UserError
from trainer.models import Job
from trainer.services import invalid_parameters, job_submit

from . import grading, sandbox
from .content import Exercise
from .models import Attempt, Draft


class SandboxMissing(UserError):
    status_code = 503
    code = "sandbox_unavailable"


class TooManyChecks(UserError):
    status_code = 429
    code = "check_in_progress"


NO_SANDBOX = gettext_lazy(
    "Code exercises are off on this server: its worker has no sandbox to run your code in (bubblewrap is not "
    "installed or cannot start). Your draft is kept; ask the operator to install bubblewrap."
)


def sandbox_installed() -> bool:
    """What the web can know: bubblewrap is installed (its image is the worker's). Whether it can make
    namespaces is known only where the code runs: the worker probes it before every check and answers an
    attempt with NO_SANDBOX when it cannot (under Docker the web container is not given the namespaces that
    compose gives worker-sandbox, so a probe here would refuse what the worker can do)."""
    return sandbox.bwrap_path() is not None


def refuse_without_sandbox() -> None:
    if not sandbox_installed():
        raise SandboxMissing(NO_SANDBOX)


def draft_save(*, owner, exercise: Exercise, source: str) -> Draft:
    grading.refuse_unrunnable(source)
    draft, _created = Draft.objects.update_or_create(
        owner=owner, exercise=exercise.slug, defaults={"source": source}
    )
    return draft


@transaction.atomic
def attempt_submit(*, owner, exercise: Exercise, source: str) -> Attempt:
    """Keeps the source as the draft, records the attempt and queues its check (on commit, on `sandbox`)."""
    from .tasks import check_attempt

    grading.refuse_unrunnable(source)
    refuse_without_sandbox()
    if Attempt.objects.filter(
        owner=owner, status__in=[Attempt.Status.QUEUED, Attempt.Status.RUNNING]
    ).exists():
        raise TooManyChecks(_("Your previous check is still running: wait for its result."))
    Draft.objects.update_or_create(owner=owner, exercise=exercise.slug, defaults={"source": source})
    attempt = Attempt.objects.create(owner=owner, exercise=exercise.slug, source=source)
    transaction.on_commit(lambda: check_attempt.apply_async((attempt.pk,), queue="sandbox"))
    return attempt


def attempt_check(*, attempt: Attempt, exercise: Exercise) -> Attempt:
    """Runs the checks in a sandbox (here, on the worker) and stores what they said."""
    if attempt.done:
        return attempt  # a message delivered twice
    Attempt.objects.filter(pk=attempt.pk).update(status=Attempt.Status.RUNNING)
    if not sandbox.available():
        attempt.status, attempt.sandbox_status = Attempt.Status.ERROR, "missing"
    else:
        result = grading.check(exercise, attempt.source)
        verdict = result.verdict
        attempt.status = Attempt.Status.PASSED if verdict.passed else Attempt.Status.FAILED
        attempt.failed, attempt.printed = verdict.failed, verdict.printed
        # The learner's own exception is kept as it is; why the sandbox stopped the code is said when it is read.
        attempt.error = verdict.error if result.status == "ok" else ""
        attempt.sandbox_status, attempt.wall_ms = result.status, result.wall_ms
    attempt.finished_at = timezone.now()
    attempt.save()
    return attempt


# Exercises whose passing function a lab can train with (the lab's loop: exercises.training.TRAINERS).
TRAINABLE = {
    "linear-gradient-step",
    "stable-sigmoid-bce",
    "stable-softmax-cross-entropy",
    "adamw-step",
    "causal-attention",
    "rnn-cell-step",
    "conv2d-max-pool",
}

# Their function runs in the sandbox, on the CPU: so does the lab's model around it (a GPU would wait on it).
ON_THE_CPU = {
    "device": (
        "cpu",
        gettext_lazy(
            "A run with your function trains on the CPU: your code runs in the sandbox, never on a GPU."
        ),
    )
}

# Settings a run with the learner's function has, whatever was sent, and why: rnn_step is a plain (Elman)
# cell, so it takes the place of the RNN lab's plain RNN (the lab's default cell is a GRU).
KEPT_SETTINGS = {
    "rnn-cell-step": {
        "cell": (
            "rnn",
            gettext_lazy(
                "Your rnn_step is a plain RNN cell: a run with it uses the cell “Plain RNN”, not a GRU or an LSTM."
            ),
        )
    },
}

# Where the lab's defaults would keep a learner waiting, what a run of their function starts from instead (the
# params they send still win): the CNN with their convolution is over ten times slower than its own (README,
# "Train with your code"), and one epoch already reaches about 90% held-out accuracy.
LEARNER_RUN_DEFAULTS = {"conv2d-max-pool": {"epochs": 1}}


def train_with_code(*, owner, exercise: Exercise, params: dict) -> Job:
    """A run of the exercise's lab that takes its steps with the learner's latest passing function."""
    if exercise.slug not in TRAINABLE:
        raise UserError(_("This exercise's function does not train a lab yet."))
    passed = Attempt.objects.filter(owner=owner, exercise=exercise.slug, status=Attempt.Status.PASSED).first()
    if passed is None:
        raise UserError(_("Pass the exercise first: only a function that passes its tests trains the model."))
    refuse_without_sandbox()
    kept = ON_THE_CPU | KEPT_SETTINGS.get(exercise.slug, {})
    refused = {name: [str(why)] for name, (value, why) in kept.items() if params.get(name, value) not in (value, "auto")}  # fmt: skip
    if refused:
        raise invalid_parameters(refused)
    params = (
        LEARNER_RUN_DEFAULTS.get(exercise.slug, {})
        | params
        | {name: value for name, (value, _why) in kept.items()}
    )
    code = {
        "exercise": exercise.slug,
        "attempt": passed.pk,
        "author": owner.get_username(),
        "source": passed.source,
    }
    return job_submit(owner=owner, lab_slug=exercise.lab, params=params, learner_code=code)


def solution_allowed(*, owner, exercise: Exercise) -> bool:
    """After passing, or after SOLUTION_AFTER_TRIES checked attempts that did not pass."""
    attempts = Attempt.objects.filter(owner=owner, exercise=exercise.slug)
    if attempts.filter(status=Attempt.Status.PASSED).exists():
        return True
    return attempts.filter(status=Attempt.Status.FAILED).count() >= settings.SOLUTION_AFTER_TRIES
