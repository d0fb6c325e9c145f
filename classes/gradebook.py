"""A class's gradebook as CSV, in the two forms the common school systems import.

One row a learner; one column a quiz (the best attempt, in percent, as Moodle's default "highest grade") or a
guided experiment (100 when passed, 0 when tried and not yet passed, empty when not tried); then the total.

- Canvas (Grades → Import): the first five columns must be Student, ID, SIS User ID, SIS Login ID, Section;
  then one column per assignment (a header Canvas does not know makes a new assignment); a second row
  "Points Possible" gives each column's maximum. Canvas matches the learner by SIS Login ID here (our username);
  "Final Score" is one of Canvas's read-only columns, which it ignores on import.
- Moodle (Grades → Import → CSV file): any header row; the teacher maps one column to identify the user
  ("Username" → username, or "Email address" → email) and each grade column to a grade item (or "new grade
  item"); "Course total" is left as "Ignore" (Moodle computes its own).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from .models import Class
from .selectors import class_experiments, class_quizzes, progress

CANVAS_FIRST = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_FIRST = ["Username", "Email address", "First name", "Last name"]


def _sheet(klass: Class) -> tuple[list[str], list[tuple[object, list[int | str]]]]:
    """Column names, and per learner their cells; a cell is a number or '' (nothing to grade yet)."""
    quizzes = list(class_quizzes(klass))
    experiments = list(class_experiments(klass))
    names = [f"Quiz: {q.title}" for q in quizzes] + [f"Experiment: {e.title}" for e in experiments]
    rows = []
    for row in progress(klass):
        cells: list[int | str] = [row.quizzes.get(q.pk, "") for q in quizzes]
        for experiment in experiments:
            if experiment.pk in row.experiments_passed:
                cells.append(100)
            else:
                cells.append(0 if experiment.pk in row.experiments_tried else "")
        rows.append((row.learner, cells))
    return names, rows


def _total(cells: Iterable[int | str]) -> int:
    return sum(c for c in cells if c != "")


def _cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula (=, +, -, @ first) is written as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _write(lines: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180, as both importers read
    writer.writerows([_cell(value) for value in line] for line in lines)
    return out.getvalue()


def canvas_csv(klass: Class) -> str:
    names, rows = _sheet(klass)
    lines: list[list[object]] = [[*CANVAS_FIRST, *names, "Final Score"]]
    lines.append(["Points Possible", "", "", "", "", *([100] * len(names)), 100 * len(names)])
    for learner, cells in rows:
        student = learner.get_full_name() or learner.get_username()
        lines.append([student, "", "", learner.get_username(), klass.name, *cells, _total(cells)])
    return _write(lines)


def moodle_csv(klass: Class) -> str:
    names, rows = _sheet(klass)
    lines: list[list[object]] = [[*MOODLE_FIRST, *names, "Course total"]]
    for learner, cells in rows:
        lines.append([learner.get_username(), learner.email, learner.first_name, learner.last_name, *cells,
                      _total(cells)])  # fmt: skip
    return _write(lines)
