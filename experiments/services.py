"""Changes to experiments' results: a learner commits a prediction, then submits runs to be graded."""

from __future__ import annotations

import math
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import UserError
from core.storage import storage_charge
from trainer.catalog import LABS
from trainer.catalog.lab import specs
from trainer.models import Job

from . import grading
from .models import Experiment, Prediction, Submission


class RunRefused(UserError):
    """A run that cannot be graded for this experiment: the answer names the job, and the setting when one
    is wrong (`{"detail": ..., "job": 12, "setting": "learning_rate", "code": "run_refused"}`)."""

    code = "run_refused"

    def __init__(self, message: str, *, job: int, setting: str | None = None) -> None:
        super().__init__(message, extra={"job": job, "setting": setting})
        self.job, self.setting = job, setting


def _number(value: Any) -> bool:
    """A finite JSON number that a float can hold (an integer of 400 digits is not one)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _job_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def show(value: float | None) -> str:
    return "–" if value is None else f"{value:.6g}"


def prediction_commit(*, owner: AbstractBaseUser, experiment: Experiment, value: Any) -> Prediction:
    """Records what the learner expects. Runs started before it do not count for the check."""
    if experiment.prediction_kind == Experiment.Prediction.CHOICE:
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or not 0 <= value < len(experiment.choice_list)
        ):
            raise UserError(_("Choose one of the predictions offered."), field="prediction")
    elif not _number(value):
        raise UserError(_("Enter your prediction as a number."), field="prediction")
    storage_charge(user=owner, value=value)
    return Prediction.objects.create(owner=owner, experiment=experiment, value=value)


def _same(a: Any, b: Any) -> bool:
    if _number(a) and _number(b):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def _check_run(experiment: Experiment, slot: int, job: Job, prediction: Prediction) -> None:
    run = experiment.runs[slot]
    if job.lab != experiment.lab:
        raise RunRefused(
            _("Run #%(job)d is a run of another lab (%(lab)s); this experiment needs the %(needed)s lab.")
            % {"job": job.pk, "lab": job.lab, "needed": experiment.lab},
            job=job.pk,
        )
    if job.status not in Job.COMPLETED:
        raise RunRefused(
            _(
                "Run #%(job)d has not run to its end (%(status)s): only a finished or diverged run can be checked."
            )
            % {"job": job.pk, "status": job.get_status_display()},
            job=job.pk,
        )
    if job.created_at < prediction.created_at:
        raise RunRefused(
            _("Run #%(job)d was started before your prediction. Start it again now that you have predicted.")
            % {"job": job.pk},
            job=job.pk,
        )
    declared = specs(LABS[experiment.lab].config)
    for name, needed in run.get("settings", {}).items():
        if not _same(job.params.get(name), needed):
            raise RunRefused(
                _(
                    "Run #%(job)d has %(name)s = %(value)s; run %(n)d of this experiment needs %(name)s = %(needed)s."
                )
                % {
                    "job": job.pk,
                    "name": name,
                    "value": job.params.get(name),
                    "n": slot + 1,
                    "needed": needed,
                },
                job=job.pk,
                setting=name,
            )
    for name, bounds in run.get("limits", {}).items():
        value = job.params.get(name, declared[name][1])
        low, high = bounds.get("min", -math.inf), bounds.get("max", math.inf)
        if not low <= value <= high:
            limits = [_("at least %(bar)s") % {"bar": show(low)}] if "min" in bounds else []
            limits += [_("at most %(bar)s") % {"bar": show(high)}] if "max" in bounds else []
            raise RunRefused(
                _("Run #%(job)d has %(name)s = %(value)s; this experiment needs %(name)s %(bounds)s.")
                % {"job": job.pk, "name": name, "value": value, "bounds": ", ".join(limits)},
                job=job.pk,
                setting=name,
            )


@transaction.atomic
def submission_grade(
    *, owner: AbstractBaseUser, experiment: Experiment, job_ids: list[Any], answer: Any
) -> tuple[Submission, str]:
    """Grades the learner's runs (ids in the order of the experiment's runs) and their answer; returns the
    recorded submission and the feedback. Raises UserError / RunRefused, recording nothing, for anything
    that cannot be graded: no prediction yet, a run that is not theirs, unfinished, or with other settings."""
    prediction = Prediction.objects.filter(owner=owner, experiment=experiment).first()
    if prediction is None:
        raise UserError(_("Make your prediction first, then run the experiment."), field="prediction")
    wanted = len(experiment.runs)
    if not isinstance(job_ids, list) or len(job_ids) != wanted or not all(map(_job_id, job_ids)):
        raise UserError(
            _("Send the ids of %(n)d of your runs, in the order of this experiment's runs.") % {"n": wanted},
            field="jobs",
        )
    if len(set(job_ids)) != len(job_ids):
        raise UserError(_("Each of this experiment's runs must be a different run of yours."), field="jobs")
    found = {job.pk: job for job in Job.objects.filter(owner=owner, pk__in=job_ids)}
    jobs = []
    for slot, job_id in enumerate(job_ids):
        job = found.get(int(job_id))
        if job is None:
            raise RunRefused(
                _("Run #%(job)d is not one of your runs.") % {"job": int(job_id)}, job=int(job_id)
            )
        _check_run(experiment, slot, job, prediction)
        jobs.append(job)
    if experiment.answers_number and not _number(answer):
        raise UserError(_("Enter your answer as a number."), field="answer")
    outcome = grading.grade(experiment.grading, jobs, answer if experiment.answers_number else None)
    value = grading.measured(experiment.grading, outcome.values)
    happened = grading.judged(experiment.grading, prediction.value, value)
    values = {
        "runs": [{"job": job.pk, "value": value} for job, value in zip(jobs, outcome.values, strict=True)],
        "expected": outcome.expected,
        "allowed": outcome.allowed,
        "bar": outcome.bar,
        "answer": answer if experiment.answers_number else None,
        "prediction_happened": happened,
    }
    storage_charge(user=owner, value=values)
    submission = Submission.objects.create(
        owner=owner,
        experiment=experiment,
        prediction=prediction,
        jobs=[job.pk for job in jobs],
        answer=values["answer"],
        values=values,
        passed=outcome.passed,
    )
    return submission, feedback(experiment, prediction, jobs, outcome, answer, happened, value)


def judgement(
    experiment: Experiment, prediction: Prediction, happened: bool | None, value: float | None
) -> str:
    """The learner's prediction and whether it happened in their own runs."""
    if experiment.prediction_kind == Experiment.Prediction.CHOICE:
        predicted = experiment.choice_list[prediction.value]
    else:
        predicted = show(prediction.value)
    if happened is None:
        return _("You predicted: %(prediction)s.") % {"prediction": predicted}
    if happened:
        return _("You predicted: %(prediction)s. That is what happened.") % {"prediction": predicted}
    judge = experiment.grading["judge"]
    if isinstance(judge, list):
        shown = [
            c
            for c, condition in zip(experiment.choice_list, judge, strict=True)
            if grading.holds(condition, value)
        ]
        if shown:
            return _(
                "You predicted: %(prediction)s. That is not what happened: your runs show “%(happened)s”."
            ) % {
                "prediction": predicted,
                "happened": shown[0],
            }
        return _("You predicted: %(prediction)s. That is not what your runs show.") % {
            "prediction": predicted
        }
    return _("You predicted %(prediction)s, but your runs give %(value)s: the prediction was off.") % {
        "prediction": predicted,
        "value": show(value),
    }


def feedback(
    experiment: Experiment,
    prediction: Prediction,
    jobs: list[Job],
    outcome: grading.Outcome,
    answer: Any,
    happened: bool | None = None,
    value: float | None = None,
) -> str:
    """What the learner reads after the check, in their language: first whether their prediction happened,
    then whether their answer to the check (or their challenge run) is right."""
    said = judgement(experiment, prediction, happened, value)
    check = experiment.grading
    if check["kind"] == "challenge":
        value, bar = outcome.values[0], outcome.bar
        goal = (_("at least %(bar)s") if "at_least" in check else _("at most %(bar)s")) % {"bar": show(bar)}
        if value is None:
            result = _("Run #%(job)d never showed the value this challenge measures; the goal is %(goal)s.")
        elif outcome.passed:
            result = _("Challenge met: run #%(job)d reached %(value)s (the goal: %(goal)s).")
        else:
            result = _(
                "Not yet: run #%(job)d reached %(value)s; the goal is %(goal)s. Change the settings and try again."
            )
        return f"{said} {result % {'job': jobs[0].pk, 'value': show(value), 'goal': goal}}"
    missing = next((job for job, value in zip(jobs, outcome.values, strict=True) if value is None), None)
    if missing is not None:
        result = _(
            "Run #%(job)d does not show what this check reads (for example, it did not diverge, or never reached"
            " the value named). Look at its charts, and run it again as the instructions say."
        ) % {"job": missing.pk}
    elif outcome.expected is None:
        result = _("Your first run's value is zero, so the ratio cannot be computed.")
    elif outcome.passed:
        result = _("Your answer is right: your runs give %(expected)s, and you answered %(answer)s.") % {
            "expected": show(outcome.expected),
            "answer": show(answer),
        }
    else:
        result = _(
            "Your answer is not quite right: your runs give %(expected)s (answers within %(allowed)s of it"
            " count), and you answered %(answer)s."
        ) % {"expected": show(outcome.expected), "allowed": show(outcome.allowed), "answer": show(answer)}
    return f"{said} {result}"
