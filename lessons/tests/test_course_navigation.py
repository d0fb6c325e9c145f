"""Navigation a learner can trust, read from the course files themselves: the overview lists every lesson under
its number, "lesson N" always means the lesson numbered N, and every link from a lesson to a guided experiment
opens the settings its task says to run.

A task states its first run in a note beside it, `<!-- try: {experiment: noise-floor, settings: {noise: 0.1}} -->`
(an HTML comment: the page never shows it). `settings` lists what the task's words set, everything else being the
lab's default, and each number in it must be in the task's words. A note without `settings` marks a link that only
points at a guided experiment, which then sets its own runs; it is not allowed beside a task ("**Task:**")."""

import re

import pytest
import yaml

from trainer.catalog import LABS
from trainer.catalog.lab import specs

from .test_course_quality import FENCE, FOLDER, LANGUAGES, TASK, language, lesson_files, split

EXPERIMENT_LINK = re.compile(r"\]\(/labs/([a-z-]+)/\?experiment=([a-z0-9-]+)\)")
NOTE = re.compile(r"<!-- try: (\{.*?\}) -->")
# Settings that change how a run is shown, not what it computes.
SHOWN_ONLY = {"report_every", "device", "sample_every"}
LESSON_REFERENCE = re.compile(r"\[(?:[Ll]essons? (\d+)|第 (\d+) 课)\]\(/courses/ai-large-models/([a-z-]+)/\)")
OVERVIEW_ROW = re.compile(r"^\| (\d+) \| \[[^]]+\]\(/courses/ai-large-models/([a-z-]+)/\)", re.M)


def experiments() -> dict[str, dict]:
    """Each guided experiment's front matter, by slug."""
    return {
        meta["slug"]: meta for meta, _body in map(split, sorted((FOLDER / "experiments").glob("*.en.md")))
    }


def paragraphs(body: str) -> list[str]:
    """A lesson cut where a reader's eye cuts it: a whole admonition (its title line and indented lines) is one
    piece, any other text is cut at blank lines; code is left out."""
    pieces: list[str] = []
    current: list[str] = []
    in_box = False
    for line in FENCE.sub("", body).split("\n"):
        if re.match(r"^(!!!|\?\?\?\+?) ", line):
            pieces.append("\n".join(current))
            current, in_box = [line], True
        elif in_box and (not line.strip() or line.startswith("    ")):
            current.append(line)
        elif not line.strip():
            pieces.append("\n".join(current))
            current, in_box = [], False
        else:
            if in_box:
                pieces.append("\n".join(current))
                current, in_box = [], False
            current.append(line)
    pieces.append("\n".join(current))
    return [piece for piece in pieces if piece.strip()]


def spellings(value: float) -> set[str]:
    """How a number may be written in a task: 2001, 2,001, 0.05 or 5%."""
    text = f"{value:g}" if isinstance(value, float) else str(value)
    found = {text, f"{value:,}" if isinstance(value, int) else text}
    if isinstance(value, float) and 0 < value < 1:
        found.add(f"{value * 100:g}%")
    return found


def link_problems(body: str, known: dict[str, dict]) -> list[str]:
    """What is wrong with the experiment links of one lesson body, in words an author can act on."""
    problems = []
    for piece in paragraphs(body):
        links = EXPERIMENT_LINK.findall(piece)
        notes = [yaml.safe_load(note) for note in NOTE.findall(piece)]
        words = NOTE.sub(" ", piece)
        noted = {note.get("experiment") for note in notes}
        for lab, slug in links:
            if slug not in known or known[slug]["lab"] != lab:
                problems.append(f"{slug} is not a guided experiment of the {lab} lab")
            elif slug not in noted:
                problems.append(f"the link to {slug} has no note saying what its task runs")
        for note in notes:
            slug = note.get("experiment")
            if slug not in {s for _lab, s in links}:
                problems.append(f"a note names {slug}, which nothing beside it links")
                continue
            if slug not in known:
                continue
            if "settings" not in note:
                if any(marker in piece for marker in TASK.values()):
                    problems.append(f"the task linking {slug} must say which settings it runs")
                continue
            lab = known[slug]["lab"]
            declared = specs(LABS[lab].config)
            said = note["settings"] or {}
            opens = known[slug]["runs"][0]["settings"]
            for name in said.keys() - declared.keys():
                problems.append(f"{slug}: the {lab} lab has no setting '{name}'")
            for name, (_spec, default) in declared.items():
                if name in SHOWN_ONLY:
                    continue
                wanted, got = said.get(name, default), opens.get(name, default)
                if wanted != got:
                    problems.append(
                        f"the link to {slug} opens {name} = {got}, its task runs {name} = {wanted}"
                    )
            for name, value in said.items():
                number = isinstance(value, int | float) and not isinstance(value, bool)
                if number and not any(spelled in words for spelled in spellings(value)):
                    problems.append(f"the task linking {slug} never says {name} = {value} in words")
    return problems


def lesson_orders() -> dict[str, int]:
    return {split(path)[0]["slug"]: split(path)[0]["order"] for path in lesson_files()}


class CourseNavigationTests:
    def test_it_numbers_the_lesson_files_as_their_order_once_each(self):
        for lang in LANGUAGES:
            paths = [path for path in lesson_files() if language(path) == lang]
            prefixes = [int(path.name.split("-")[0]) for path in paths]
            assert prefixes == list(range(1, len(paths) + 1)), prefixes
            for path in paths:
                assert split(path)[0]["order"] == int(path.name.split("-")[0]), path.name

    def test_it_lists_every_lesson_under_its_number_in_the_overview(self):
        orders = lesson_orders()
        for lang in LANGUAGES:
            body = split(FOLDER / f"course.{lang}.md")[1]
            rows = [(int(number), slug) for number, slug in OVERVIEW_ROW.findall(body)]
            assert rows == sorted((order, slug) for slug, order in orders.items()), (lang, rows)

    def test_it_calls_each_lesson_by_its_own_number(self):
        orders = lesson_orders()
        paths = [*FOLDER.glob("*.md"), *FOLDER.glob("*/*.md")]
        checked = 0
        for path in paths:
            for en, zh, slug in LESSON_REFERENCE.findall(split(path)[1]):
                checked += 1
                assert int(en or zh) == orders[slug], (
                    f"{path.relative_to(FOLDER)}: lesson {en or zh} → {slug}"
                )
        assert checked > 40

    def test_it_opens_the_settings_each_task_describes_from_every_experiment_link(self):
        known = experiments()
        links = 0
        for path in lesson_files():
            body = split(path)[1]
            links += len(EXPERIMENT_LINK.findall(FENCE.sub("", body)))
            assert link_problems(body, known) == [], path.name
        assert links > 30


TASK_TODAY = """!!! tip "Try it"
    **Task:** the [linear regression lab](/labs/linear-regression/?experiment={slug}) is a good first one. Run it
    once with the defaults (learning rate 0.5, 2001 steps): it should end at $w = 0.1$, $b = 0.3$.

    <!-- try: {{experiment: {slug}, settings: {{learning_rate: 0.5, steps: 2001}}}} -->
"""


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        # Lesson 1 before this check: "run it once with the defaults" opened learning rate 0.9.
        (
            TASK_TODAY.format(slug="learning-rate-too-large"),
            "the link to learning-rate-too-large opens learning_rate = 0.9, its task runs learning_rate = 0.5",
        ),
        # Lesson 3's noise task opened learning-rate-too-large, 300 steps.
        (
            TASK_TODAY.format(slug="learning-rate-too-large").replace("learning rate 0.5, ", ""),
            "the link to learning-rate-too-large opens steps = 300, its task runs steps = 2001",
        ),
        (
            TASK_TODAY.format(slug="learning-rate-and-steps").replace("2001 steps", "many steps"),
            "the task linking learning-rate-and-steps never says steps = 2001 in words",
        ),
        (
            TASK_TODAY.format(slug="learning-rate-and-steps").replace(
                ", settings: {learning_rate: 0.5, steps: 2001}", ""
            ),
            "the task linking learning-rate-and-steps must say which settings it runs",
        ),
        (
            TASK_TODAY.format(slug="learning-rate-and-steps").replace("<!-- try", "<!-- nothing"),
            "the link to learning-rate-and-steps has no note saying what its task runs",
        ),
        (
            TASK_TODAY.format(slug="rnn-cells"),
            "rnn-cells is not a guided experiment of the linear-regression lab",
        ),
    ],
)
def test_a_link_that_opens_other_settings_than_its_task_fails(body, problem):
    """The check on text of the shape an author writes, so that it cannot pass vacuously."""
    assert problem in link_problems(body, experiments())
    assert link_problems(TASK_TODAY.format(slug="learning-rate-and-steps"), experiments()) == []
