"""Experiments are authored with the course, in both languages, and imported by import_course."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from experiments.models import Experiment
from lessons.content import ContentError, Report, export_course, read_group, shared
from lessons.models import Lesson, localized
from trainer.catalog import LABS

from .. import grading
from ..content import FIELDS, SHARED, load_course_experiments
from .conftest import COURSE_EXPERIMENTS, attach

COURSE = COURSE_EXPERIMENTS.parent


@pytest.mark.django_db
class CourseExperimentsTests:
    def test_the_course_has_two_per_lab_in_both_languages_and_every_lab_link_is_one(self):
        call_command(
            "import_course", str(COURSE), verbosity=0
        )  # the real course (slow: formulas are typeset)
        per_lab = {slug: Experiment.objects.filter(lab=slug).count() for slug in LABS}
        assert all(count >= 2 for count in per_lab.values()), per_lab
        assert Experiment.objects.count() >= 14
        for experiment in Experiment.objects.all():
            for language in ("zh-hans", "en"):
                for field in ("title", "predict", "instructions_html", "explanation_html"):
                    assert localized(experiment, field, language).strip(), (experiment.slug, language, field)
        slugs = dict(Experiment.objects.values_list("slug", "lab"))
        for lesson in Lesson.objects.all():
            for language in ("zh-hans", "en"):
                html = localized(lesson, "body_html", language)
                for lab, query in re.findall(r'href="/labs/([a-z-]+)/([^"]*)"', html):
                    if lab not in LABS:
                        continue  # a lab still being built (its own branch adds its experiments)
                    match = re.fullmatch(r"\?experiment=([a-z0-9-]+)", query)
                    assert match, f"{lesson.slug} ({language}) links the {lab} lab without an experiment"
                    assert slugs.get(match[1]) == lab, (
                        f"{lesson.slug}: {match[1]} is not an experiment of {lab}"
                    )

    def test_a_reimport_changes_nothing_and_an_export_reimports_to_no_change(self, course, tmp_path):
        folder = attach(tmp_path / "in", course)
        report = Report()
        load_course_experiments(course, folder, report)
        count = Experiment.objects.count()
        assert report.unchanged == count and not report.created and not report.updated
        export_course(course, tmp_path / "out")
        report = Report()
        load_course_experiments(course, tmp_path / "out" / "experiments", report)
        assert report.unchanged == count and not report.created and not report.updated


class JudgedPredictionsTests:
    """Every experiment that grades an answer judges the prediction too, so its feedback says whether what the
    learner predicted happened (a challenge grades a run, not an answer)."""

    def test_every_graded_experiment_judges_its_prediction_in_both_languages(self):
        unjudged = []
        for docs in read_group(COURSE_EXPERIMENTS, FIELDS).values():
            meta = shared(docs, SHARED)  # the same check in every language
            check = meta["check"]
            if check["kind"] == "challenge":
                continue
            if "judge" not in check:
                unjudged.append(meta["slug"])
                continue
            grading.validate_judge(check["judge"], meta["prediction"], len(meta.get("choices", [])))
        assert not unjudged, f"no judge: {unjudged}"

    def test_a_choice_judge_calls_at_most_one_choice_right_away_from_its_bounds(self):
        """Between the bounds the author wrote, one value never makes two choices come true."""
        for docs in read_group(COURSE_EXPERIMENTS, FIELDS).values():
            meta = shared(docs, SHARED)
            judge = meta["check"].get("judge")
            if not isinstance(judge, list):
                continue
            bounds = sorted({v for c in judge for k, v in c.items() if k in ("min", "max")})
            probes = [b + d for b in bounds for d in (-1e-6, 1e-6)] + [-1e9, 1e9]
            for value in probes:
                right = [i for i, c in enumerate(judge) if grading.holds(c, value)]
                assert len(right) <= 1, (meta["slug"], value, right)


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


@pytest.mark.django_db
class ImportErrorsTests:
    """A mistake in an experiment's file fails the import naming the file, and changes nothing."""

    @pytest.fixture
    def folder(self, course, tmp_path):
        return attach(tmp_path, course, ["learning-rate-too-large"])

    def edit(self, folder: Path, old: str, new: str, languages=("en", "zh-hans")) -> None:
        for language in languages:
            path = next(folder.glob(f"*learning-rate-too-large.{language}.md"))
            path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")

    @pytest.mark.parametrize(
        ("old", "new", "message"),
        [
            ("lab: linear-regression", "lab: quantum", "unknown lab 'quantum'"),
            ("lesson: gradients", "lesson: nowhere", "there is no lesson 'nowhere'"),
            ("learning_rate: 0.9", "learning_rate: 99", "run 1: learning_rate:"),
            ("learning_rate: 0.9", "learnin_rate: 0.9", "no hyperparameter called"),
            ("kind: value", "kind: guess", "check 'kind' must be one of"),
            ("of: diverged_at_step", "of: vibes", "check 'quantity' must be a mapping"),
            ("absolute: 0", "fuzzy: 0", "check 'tolerance'"),
            ("prediction: choice", "prediction: number", "a number prediction takes no 'choices'"),
            ("<!-- explanation -->", "", "the body needs one line '<!-- explanation -->'"),
        ],
    )
    def test_it_names_the_problem(self, course, folder, old, new, message):
        self.edit(folder, old, new)
        with pytest.raises(ContentError, match=re.escape(message)) as raised:
            load_course_experiments(course, folder, Report())
        assert "learning-rate-too-large" in raised.value.path

    def test_choices_must_match_across_languages(self, course, folder):
        self.edit(folder, "choices: [", "choices: [One more, ", languages=("en",))
        with pytest.raises(ContentError, match=r"same in every language|as many entries"):
            load_course_experiments(course, folder, Report())

    def test_a_missing_language_is_named(self, course, folder):
        next(folder.glob("*.zh-hans.md")).unlink()
        with pytest.raises(ContentError, match="no file for zh-hans"):
            load_course_experiments(course, folder, Report())

    def test_an_experiment_removed_from_the_folder_is_removed(self, course, folder):
        for path in folder.glob("*.md"):
            path.unlink()
        load_course_experiments(course, folder, Report())
        assert not Experiment.objects.exists()
