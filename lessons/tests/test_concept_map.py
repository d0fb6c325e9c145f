"""The concept map: drawn on the server, the same every time, every label clear of the others; readable labels
on a laptop and a phone, no CSP violation, a concept lit by pointing, the keyboard or the address; a text
alternative with every concept and its relations; and a learner's mastered concepts (from the quiz questions
tied to each concept)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import log_in, screenshot
from core.documents import bump_content_version
from lessons import conceptmap
from lessons.conceptmap import LINE_PX, draw, text_width
from lessons.content import CONCEPT_FIELDS, read_group
from lessons.mastery import mastery
from lessons.models import Concept, ConceptRelation
from lessons.tests.test_default_course import FOLDER
from quizzes.mastery import question_concepts
from quizzes.models import Attempt, Question, Response


def shipped_graph(language: str) -> tuple[list[dict], list[dict]]:
    """The shipped course's concepts and relations, read from its files (no database)."""
    docs = [group[language] for group in read_group(FOLDER / "concepts", CONCEPT_FIELDS).values()]
    nodes = [{"id": d.meta["slug"], "label": d.meta["term"], "url": "/"} for d in docs]
    edges = [
        {"source": d.meta["slug"], "target": r["concept"], "kind": r["relation"], "label": r["relation"]}
        for d in docs
        for r in d.meta["related"]
    ]
    return nodes, edges


def boxes(node: dict) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """A placed concept's dot and label, as (left, top, right, bottom)."""
    x, y, r = float(node["x"]), float(node["y"]), float(node["r"])
    half = text_width(node["label"]) / 2
    return (x - r, y - r, x + r, y + r), (x - half, y + r + 2, x + half, y + r + 2 + LINE_PX)


def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class LayoutTests:
    @pytest.mark.parametrize("language", ["en", "zh-hans"])
    def test_it_is_the_same_drawing_every_time(self, language):
        nodes, edges = shipped_graph(language)
        assert draw(nodes, edges) == draw(list(reversed(nodes)), edges)

    @pytest.mark.parametrize("language", ["en", "zh-hans"])
    def test_every_concept_is_inside_and_no_label_covers_another_concept(self, language):
        nodes, edges = shipped_graph(language)
        drawing = draw(nodes, edges)
        assert len(drawing.nodes) == len(nodes) and len(drawing.edges) == len(edges)
        assert drawing.width <= 1046, "it fits the page's column on a laptop"
        placed = [boxes(node) for node in drawing.nodes]
        for dot, label in placed:
            for box in dot, label:
                assert box[0] >= 0 and box[1] >= 0 and box[2] <= drawing.width and box[3] <= drawing.height
        for i, (dot, label) in enumerate(placed):
            for other_dot, other_label in placed[i + 1 :]:
                assert not overlap(label, other_label)
                assert not overlap(label, other_dot) and not overlap(dot, other_label)


def answer(user, question: Question, correct: bool) -> None:
    attempt = Attempt.objects.create(quiz=question.quiz, user=user, number=Attempt.objects.count() + 1)
    Response.objects.create(attempt=attempt, question=question, given=None, correct=correct)


def tied_to(slug: str) -> list[Question]:
    tied = question_concepts()
    return [q for q in Question.objects.all() if slug in tied.get(q.pk, set())]


@pytest.mark.django_db
class MasteryTests:
    def test_a_concept_is_mastered_when_the_latest_answers_to_its_questions_are_right(self, course, student):
        questions = tied_to("gradient-descent")
        assert questions, "the fixture quiz asks about gradient descent"
        assert mastery(student)["gradient-descent"] == {"state": "new", "right": 0, "total": 0}
        for question in questions:
            answer(student, question, correct=False)
        assert mastery(student)["gradient-descent"]["state"] == "started"
        for question in questions:
            answer(student, question, correct=True)  # a later attempt replaces the earlier answer
        assert mastery(student)["gradient-descent"] == {
            "state": "mastered",
            "right": len(questions),
            "total": len(questions),
        }

    def test_the_api_is_for_signed_in_learners_only(self, client, course, student):
        assert client.get("/api/concepts/mastery/").status_code == 401
        client.force_login(student)
        assert client.get("/api/concepts/mastery/").json()["gradient-descent"]["state"] == "new"


@pytest.mark.django_db
class ConceptMapDocumentTests:
    def test_the_map_is_in_the_page_and_its_words_are_escaped(self, client, course):
        odd = Concept.objects.create(
            slug="odd", term_en="<b>&", term_zh_hans="<b>&", definition_en="x", definition_zh_hans="x"
        )
        ConceptRelation.objects.create(
            source=odd, target=Concept.objects.get(slug="learning-rate"), kind="uses"
        )
        html = client.get(reverse("concept_map"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        svg = html[html.index("<svg") : html.index("</svg>")]
        assert svg.count('class="node"') == 4
        assert '<line class="edge-uses" data-from="gradient-descent" data-to="learning-rate"' in svg
        assert 'data-concept="odd"' in svg and ">&lt;b&gt;&amp;</text>" in svg and "<b>" not in svg

    def test_the_layout_is_drawn_once_for_the_same_concepts_and_again_when_they_change(
        self, client, course, monkeypatch
    ):
        drawn = []
        monkeypatch.setattr(conceptmap, "draw", lambda *args: drawn.append(args) or draw(*args))
        first = client.get(reverse("concept_map"), HTTP_ACCEPT_LANGUAGE="en").content
        bump_content_version()  # e.g. a lesson was edited: the page is rendered again, its map is not drawn
        assert client.get(reverse("concept_map"), HTTP_ACCEPT_LANGUAGE="en").content == first
        assert len(drawn) == 1
        client.get(reverse("concept_map"), HTTP_ACCEPT_LANGUAGE="zh-hans")  # other words, another drawing
        assert len(drawn) == 2
        ConceptRelation.objects.create(
            source=Concept.objects.get(slug="learning-rate"),
            target=Concept.objects.get(slug="gradient-descent"),
            kind="related-to",
        )
        changed = client.get(reverse("concept_map"), HTTP_ACCEPT_LANGUAGE="en").content
        assert len(drawn) == 3 and changed != first


@pytest.mark.browser
class ConceptMapPageTests:
    @pytest.mark.parametrize("width", [1366, 390])
    def test_labels_are_readable_and_the_page_keeps_its_policy(self, page, course, width):
        page.set_viewport_size({"width": width, "height": 900})
        messages = []
        page.on("console", lambda m: messages.append(m.text))
        page.goto("/concepts/map/")
        expect(page.locator("#concept-map")).to_have_attribute("data-ready", "3")
        # every label's size on screen: its font size times the map's scale (the relations' words too)
        sizes = page.locator("#concept-map text").evaluate_all(
            "all => all.map(t => parseFloat(getComputedStyle(t).fontSize) * t.ownerSVGElement.getScreenCTM().a)"
        )
        assert len(sizes) == 3 + 2 and min(sizes) >= 12, sizes
        assert not [m for m in messages if "Content Security Policy" in m], messages
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        if width == 390:  # wider than a phone: the frame scrolls, not the page
            frame = page.locator("#concept-map")
            assert frame.evaluate(
                "f => f.scrollWidth > f.clientWidth && getComputedStyle(f).overflowX === 'auto'"
            )
        screenshot(page, f"concept-map-{width}")

    def test_a_concept_reached_with_the_keyboard_is_lit_and_named(self, page, course):
        page.goto("/concepts/map/")
        expect(page.locator("#concept-map")).to_have_attribute("data-ready", "3")
        page.locator('#concept-map [data-concept="gradient-descent"]').focus()
        selected = page.locator("#concept-map-selected")
        expect(selected.get_by_role("link", name="Gradient descent")).to_be_visible()
        expect(selected).to_contain_text("— An optimisation algorithm")  # its definition
        expect(
            page.locator('.edge-label[data-from="gradient-descent"][data-to="learning-rate"]')
        ).to_be_visible()
        expect(page.locator('#concept-map [data-concept="learning-rate"]')).to_have_class(
            re.compile(r"\bnear\b")
        )
        page.keyboard.press("Tab")  # the next concept
        expect(selected.get_by_role("link", name="Learning rate")).to_be_visible()

    def test_selecting_a_concept_opens_it(self, page, course):
        page.goto("/concepts/map/")
        page.locator("#concept-map").get_by_role("link", name="Learning rate").click()
        expect(page).to_have_url(page.base + "/concepts/learning-rate/")
        expect(page.get_by_role("heading", name="Learning rate", level=1)).to_be_visible()

    def test_the_concept_in_the_address_is_lit_and_in_view_on_a_phone(self, page, course):
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto("/concepts/map/#learning-rate")
        expect(
            page.locator("#concept-map-selected").get_by_role("link", name="Learning rate")
        ).to_be_visible()
        node = page.locator('#concept-map [data-concept="learning-rate"] circle').bounding_box()
        frame = page.locator("#concept-map").bounding_box()
        assert frame["x"] <= node["x"] and node["x"] + node["width"] <= frame["x"] + frame["width"]

    def test_the_text_alternative_lists_every_concept_and_its_relations(self, page, course):
        page.goto("/concepts/map/")
        items = page.locator(".concept-list > li")
        expect(items).to_have_count(3)
        gradient = page.locator("#concept-gradient-descent")
        expect(gradient.get_by_role("link", name="Gradient descent")).to_be_visible()
        expect(gradient.locator(".relations")).to_contain_text("uses")
        expect(gradient.locator(".relations")).to_contain_text("Learning rate")

    def test_a_learner_sees_the_concepts_they_have_mastered(self, page, course, student):
        for question in tied_to("gradient-descent"):
            answer(student, question, correct=True)
        log_in(page, "student", "correct horse 1")
        page.goto("/concepts/map/")
        expect(page.locator("#concept-map")).to_have_attribute("data-mastered", "1")
        expect(page.locator('.node[data-concept="gradient-descent"]')).to_have_class(
            re.compile(r"\bmastered\b")
        )
        expect(page.locator('[data-mastered="gradient-descent"]')).to_be_visible()
        expect(page.locator('[data-mastered="learning-rate"]')).to_be_hidden()
        expect(page.locator("#concept-map-mastery")).to_contain_text("1 of 3")
