"""What the platform says about a run's end, stored as a code and its arguments and put into words when it is
read, in the reader's language: a run cancelled from the Chinese interface reads "Cancelled by the learner."
to an English reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

MESSAGES: dict[str, str] = {
    "cancelled": gettext_noop("Cancelled by the learner."),
    "cancelled_before_start": gettext_noop("Cancelled before it started."),
    "time_limit": gettext_noop("Stopped: the run took longer than this lab's limit of %(s)d seconds."),
    "worker_lost": gettext_noop(
        "The worker running this job stopped unexpectedly (no sign of life for %(s)d s)."
    ),
    # A run whose loss stopped being a number (status `diverged`); `loss` is already formatted ("1.234e+05").
    "diverged": gettext_noop(
        "Diverged at step %(step)d: the learning rate is too large for this curvature. The loss grew until it"
        " was no longer a number; its last finite value was %(loss)s, at step %(last)d. Try a smaller"
        " learning rate."
    ),
    "diverged_at_once": gettext_noop(
        "Diverged at step %(step)d: %(series)s became infinite or not a number. The learning rate is too"
        " large for this curvature: try a smaller one."
    ),
    # A run that reached its time limit and kept what it had learned (status `stopped`).
    "stopped_at_limit": gettext_noop(
        "Stopped at this lab's time limit of %(s)d seconds. The run keeps what it learned until then: its"
        " charts, metrics and trained model."
    ),
    # A run whose worker was lost, continued by another worker (from a checkpoint, or from the beginning).
    "resumed": gettext_noop("Resumed on another worker, from step %(step)d."),
    "restarted": gettext_noop("Resumed on another worker, from the beginning."),
    "handed_back": gettext_noop("Its worker is shutting down: the run goes on on another worker."),
    "handed_back_lost": gettext_noop("Its worker was lost: the run goes on on another worker."),
    "worker_lost_again": gettext_noop(
        "The run lost its worker %(n)d times (a worker stopped or a machine was lost); it was given up."
    ),
    # A lab's own message (LabError), itself a msgid marked in the lab, in `text`.
    "lab": "%(text)s",
    # A run of the learner's own function (exercises/): what their code did, in their code's words.
    "learner_code_raised": gettext_noop("Your function raised an error during training: %(error)s"),
    "learner_code_stopped": gettext_noop(
        "The sandbox stopped your function during training (%(status)s): it ran too long or used too much."
    ),
    "learner_code_garbled": gettext_noop(
        "Your function's answer during training could not be read: it wrote something else where the sandbox "
        "answers."
    ),
    # An unexpected error: its text is Python's and is shown as it is.
    "training_failed": gettext_noop("Training failed: %(reason)s"),
}


@dataclass(frozen=True)
class Message:
    """A message about a job as it is stored: `code` names a template of MESSAGES, `params` fill it."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return render(self.code, self.params)


def render(code: str, params: dict[str, Any]) -> str:
    """The message in the language active now. An unknown code (from a newer version) reads as its code."""
    template = MESSAGES.get(code)
    if template is None:
        return code
    values = {**params, "text": _(params["text"])} if "text" in params else params
    return _(template) % values if values else _(template)
