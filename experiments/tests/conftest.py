"""Experiments for the tests: the course's own files, attached to the small fixture course's lesson."""

from pathlib import Path

import pytest

from lessons.content import Report

from ..content import load_course_experiments

COURSE_EXPERIMENTS = Path(__file__).resolve().parents[2] / "courses" / "ai-large-models" / "experiments"


def attach(tmp_path: Path, course, names: list[str] | None = None) -> Path:
    """Copies the course's experiment files (those whose name contains one of `names`) into a folder,
    pointing them at the fixture course's lesson, and imports them."""
    folder = tmp_path / "experiments"
    folder.mkdir(parents=True, exist_ok=True)
    for path in COURSE_EXPERIMENTS.glob("*.md"):
        if names is None or any(name in path.name for name in names):
            text = path.read_text(encoding="utf-8")
            lesson = next(line for line in text.splitlines() if line.startswith("lesson: "))
            (folder / path.name).write_text(text.replace(lesson, "lesson: gradients", 1), encoding="utf-8")
    load_course_experiments(course, folder, Report())
    return folder


@pytest.fixture
def experiments(course, tmp_path):
    attach(tmp_path, course)


@pytest.fixture
def learner(client, student):
    client.force_login(student)
    return client
