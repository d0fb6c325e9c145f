"""The shipped course (courses/ai-large-models) read as a teacher would check it: both languages say the same
things (headings, exercises, quiz questions, links), every relation a lesson states is on the concept map, every
lesson ends with exercises that have solutions, claims about "the current state" live only in a dated box with
its sources, and the Chinese keeps to one term list (courses/TERMS.md).

These read the files themselves, with no database: they are about the text an author writes."""

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from quizzes.gift import parse
from trainer.catalog import LABS

COURSES = Path(__file__).resolve().parents[2] / "courses"
FOLDER = COURSES / "ai-large-models"
LANGUAGES = ("en", "zh-hans")
FENCE = re.compile(r"^```.*?^```[^\n]*$", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]*`")
MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)
HEADING = re.compile(r"^(#{2,6}) +(.*)$", re.M)
LINK = re.compile(r"\]\(([^)\s]+)\)")
EXERCISES = {"en": "Exercises", "zh-hans": "习题"}
EXERCISE = re.compile(r"^\*\*\d+\.", re.M)
SOLUTION = re.compile(r"^\?\?\?\+? ", re.M)
# A dated box: an admonition (or disclosure) whose title starts with the month it describes.
DATED_TITLE = {
    "en": re.compile(r'^(?:!!!|\?\?\?\+?) \w+ "As of (January|February|March|April|May|June|July|August|September|'
                     r'October|November|December) \d{4}\b'),
    "zh-hans": re.compile(r'^(?:!!!|\?\?\?\+?) \w+ "截至 \d{4} 年 \d{1,2} 月'),
}  # fmt: skip
UNDATED = {
    "en": re.compile(r"\b(as of|currently|at present|nowadays|these days)\b", re.I),
    "zh-hans": re.compile(r"截至|目前|迄今|现状|时至今日|眼下"),
}
TASK = {"en": "**Task:**", "zh-hans": "**任务：**"}
EXPECTED = {"en": "**Expected** (from running the lab)", "zh-hans": "**预期结果**（实际运行实验得到）"}
RELATION_NAMES = {
    "is-a": "is-a", "uses": "uses", "applied-in": "applied-in", "part-of": "part-of", "related-to": "related-to",
    "是一种": "is-a", "使用": "uses", "应用于": "applied-in", "属于": "part-of", "相关": "related-to",
}  # fmt: skip
TABLE_HEADS = ({"from", "relation", "to"}, {"起点", "关系", "终点"})


def split(path: Path) -> tuple[dict, str]:
    """Front matter and body of a course file."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return {}, text
    head, _, body = text[4:].partition("\n---\n")
    return yaml.safe_load(head) or {}, body


def prose(body: str) -> str:
    """The words of a body: no code blocks, inline code or math."""
    return MATH.sub(" ", INLINE_CODE.sub(" ", FENCE.sub("", body)))


def pairs(kind: str, pattern: str = "*.en.md") -> list[tuple[Path, Path]]:
    found = []
    for en in sorted((FOLDER / kind).glob(pattern)):
        found.append((en, en.with_name(en.name.replace(".en.", ".zh-hans."))))
    return found


def lesson_files() -> list[Path]:
    return sorted((FOLDER / "lessons").glob("*.md"))


def language(path: Path) -> str:
    return "zh-hans" if ".zh-hans." in path.name else "en"


def blocks(body: str) -> list[tuple[str, str]]:
    """Top-level admonitions and disclosures: (title line, indented content)."""
    found, lines = [], body.split("\n")
    for i, line in enumerate(lines):
        if re.match(r"^(!!!|\?\?\?\+?) ", line):
            content = []
            for following in lines[i + 1 :]:
                if following.strip() and not following.startswith("    "):
                    break
                content.append(following)
            found.append((line, "\n".join(content)))
    return found


def without_dated_boxes(body: str, lang: str) -> str:
    kept, skipping = [], False
    for line in body.split("\n"):
        if DATED_TITLE[lang].match(line):
            skipping = True
            continue
        if skipping and (not line.strip() or line.startswith("    ")):
            continue
        skipping = False
        kept.append(line)
    return "\n".join(kept)


def exercise_section(body: str, lang: str) -> str | None:
    """The lesson's exercises section: from its heading to the next section or the end."""
    match = re.search(rf"^## {EXERCISES[lang]}\s*$", body, re.M)
    if not match:
        return None
    rest = body[match.end() :]
    following = re.search(r"^## ", rest, re.M)
    return rest[: following.start()] if following else rest


def concept_names() -> tuple[dict[str, str], set[tuple[str, str, str]]]:
    """Every name a concept goes by (term and aliases, both languages, lower case) -> slug; and its edges."""
    names, edges = {}, set()
    for path in sorted((FOLDER / "concepts").glob("*.md")):
        meta, _body = split(path)
        for name in [meta["term"], meta["slug"].replace("-", " "), *(meta.get("aliases") or [])]:
            names[str(name).lower()] = meta["slug"]
        for edge in meta.get("related") or []:
            edges.add((meta["slug"], edge["relation"], edge["concept"]))
    return names, edges


def relation_rows(body: str) -> list[list[str]]:
    """Rows of every table whose first three columns are from, relation, to."""
    rows, table = [], None
    for line in body.split("\n"):
        if not line.startswith("|"):
            table = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if table is None:
            table = {c.lower() for c in cells[:3]} in TABLE_HEADS
            continue
        if table and not set(cells[0]) <= set("-: "):
            rows.append(cells[:3])
    return rows


class CourseQualityTests:
    def test_both_languages_have_the_same_headings(self):
        for kind in ("lessons", "concepts", "faq"):
            for en, zh in pairs(kind):
                levels = {
                    p: [len(m[0]) for m in HEADING.findall(FENCE.sub("", split(p)[1]))] for p in (en, zh)
                }
                assert levels[en] == levels[zh], (en.name, levels[en], levels[zh])

    def test_both_languages_link_to_the_same_places(self):
        for kind in ("lessons", "concepts", "faq"):
            for en, zh in pairs(kind):
                links = {p: Counter(LINK.findall(FENCE.sub("", split(p)[1]))) for p in (en, zh)}
                assert links[en] == links[zh], (en.name, links[en] - links[zh], links[zh] - links[en])

    def test_both_languages_ask_the_same_quiz_questions(self):
        for en, zh in pairs("quizzes", "*.en.gift"):
            questions = {p: parse(p.read_text(encoding="utf-8")) for p in (en, zh)}
            shapes = {
                p: [(q.name, q.kind, [a.weight for a in q.answers]) for q in qs]
                for p, qs in questions.items()
            }
            assert shapes[en] == shapes[zh], en.name

    def test_every_quiz_has_at_least_eight_questions_and_no_name_twice_in_the_course(self):
        seen: dict[str, str] = {}
        for path in sorted((FOLDER / "quizzes").glob("*.en.gift")):
            questions = parse(path.read_text(encoding="utf-8"))
            assert len(questions) >= 8, (path.name, len(questions))
            for question in questions:
                assert question.name not in seen, (question.name, path.name, seen.get(question.name))
                seen[question.name] = path.name

    def test_every_relation_a_lesson_tabulates_is_on_the_concept_map(self):
        names, edges = concept_names()
        checked = 0
        for path in lesson_files():
            for source, relation, targets in relation_rows(prose(split(path)[1])):
                kind = RELATION_NAMES[relation.lower()]
                for target in re.split(r"[,，、]\s*", targets):
                    edge = (names[source.lower()], kind, names[target.lower()])
                    assert edge in edges, (path.name, source, relation, target)
                    checked += 1
        assert checked >= 30, "both languages of lesson 2 tabulate their relations"

    def test_every_lesson_ends_with_exercises_that_have_solutions(self):
        counts: dict[str, dict[str, int]] = {}
        for path in lesson_files():
            lang = language(path)
            body = split(path)[1]
            section = exercise_section(body, lang)
            assert section is not None, f"{path.name}: no '## {EXERCISES[lang]}' section"
            assert not re.search(r"^## ", body[body.rindex(f"## {EXERCISES[lang]}") + 3 :], re.M), (
                f"{path.name}: the exercises are not the last section"
            )
            exercises, solutions = len(EXERCISE.findall(section)), len(SOLUTION.findall(section))
            assert 3 <= exercises <= 6, (path.name, exercises)
            assert solutions == exercises, (path.name, exercises, solutions)
            counts.setdefault(path.name.split(".")[0], {})[lang] = exercises
        for name, by_language in counts.items():
            assert len(set(by_language.values())) == 1, (name, by_language)

    def test_every_lab_is_in_a_lesson_and_each_lesson_sets_a_task_with_a_measured_result_for_its_labs(self):
        listed: set[str] = set()
        for path in lesson_files():
            meta, body = split(path)
            lang = language(path)
            tasks = [content for title, content in blocks(body) if title.startswith("!!! tip")]
            given = {
                slug
                for content in tasks
                if TASK[lang] in content and EXPECTED[lang] in content
                for slug in re.findall(r"\(/labs/([\w-]+)/(?:\?experiment=[\w-]+)?\)", content)
            }
            # Or a box that hands the task to a guided experiment, which sets its runs, grades the learner's
            # prediction from them and explains the measured result itself.
            given |= {
                slug
                for content in tasks
                if TASK[lang] not in content
                for slug in re.findall(r"\(/labs/([\w-]+)/\?experiment=[\w-]+\)", content)
            }
            assert set(meta.get("labs") or []) <= given, (path.name, set(meta["labs"]) - given)
            listed |= set(meta.get("labs") or [])
        assert set(LABS) <= listed, f"labs in no lesson: {set(LABS) - listed}"

    def test_claims_about_the_present_stand_only_in_dated_boxes_with_sources(self):
        for kind in ("lessons", "concepts", "faq"):
            for path in sorted((FOLDER / kind).glob("*.md")):
                lang = language(path)
                body = split(path)[1]
                dated = [
                    (title, content) for title, content in blocks(body) if DATED_TITLE[lang].match(title)
                ]
                assert len(dated) <= 1, f"{path.name}: one dated box per lesson"
                for title, content in dated:
                    assert "](http" in content, f"{path.name}: the dated box '{title}' names no source"
                    for item in re.split(r"\n    - ", content)[1:]:
                        assert re.search(r"\b(19|20)\d\d\b", item), (
                            f"{path.name}: an item of '{title}' dates none of its sources: {item[:80]}"
                        )
                undated = UNDATED[lang].search(prose(without_dated_boxes(body, lang)))
                assert not undated, f"{path.name}: '{undated and undated.group(0)}' outside a dated box"
        for en, zh in pairs("lessons"):
            boxes = {
                p: sum(DATED_TITLE[language(p)].match(t) is not None for t, _ in blocks(split(p)[1]))
                for p in (en, zh)
            }
            assert boxes[en] == boxes[zh], (en.name, boxes)

    def test_the_chinese_keeps_to_the_term_list(self):
        rows = re.findall(r"^\|(.+)\|(.+)\|(.*)\|$", (COURSES / "TERMS.md").read_text(encoding="utf-8"), re.M)
        avoided = {
            word.strip() for _en, _zh, nots in rows[2:] for word in re.split(r"[、,]", nots) if word.strip()
        }
        assert {"令牌", "补零", "权值共享"} <= avoided
        paths = [*FOLDER.glob("*/*.zh-hans.md"), *FOLDER.glob("quizzes/*.zh-hans.gift")]
        assert len(paths) > 50
        for path in paths:
            text = prose(split(path)[1])
            for word in avoided:
                assert word not in text, f"{path.relative_to(FOLDER)}: '{word}' (courses/TERMS.md)"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_dated_box_is_recognised_and_an_undated_claim_is_not_allowed(lang):
    """The two patterns above, on text of the shape an author writes, so that the checks cannot pass vacuously."""
    title = {
        "en": '!!! note "As of September 2025: state, with sources"',
        "zh-hans": '!!! note "截至 2025 年 9 月：现状"',
    }
    claim = {
        "en": "As of 2025, robotaxis run in a few cities.",
        "zh-hans": "截至 2025 年，无人出租车只在少数城市运营。",
    }
    body = f"Intro.\n\n{title[lang]}\n    {claim[lang]} [source](https://example.org/)\n\nAfter the box.\n"
    assert [t for t, _ in blocks(body) if DATED_TITLE[lang].match(t)] == [title[lang]]
    assert not UNDATED[lang].search(prose(without_dated_boxes(body, lang)))
    assert UNDATED[lang].search(prose(without_dated_boxes(body + claim[lang], lang)))
