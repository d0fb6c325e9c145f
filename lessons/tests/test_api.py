import pytest


@pytest.mark.django_db
class LessonsApiTests:
    def test_it_lists_courses_and_their_lessons(self, client, course):
        assert client.get("/api/courses/", HTTP_ACCEPT_LANGUAGE="en").json()[0]["title"] == "Test course"
        lessons = client.get("/api/courses/test-course/").json()["lessons"]
        assert [lesson["slug"] for lesson in lessons] == ["gradients", "convolution"]

    def test_a_lesson_comes_as_markdown_and_rendered_html(self, client, course):
        body = client.get("/api/courses/test-course/lessons/gradients/", HTTP_ACCEPT_LANGUAGE="en").json()
        assert body["body_md"].startswith("## The update rule")
        assert 'class="tml-display"' in body["body_html"]
        assert (
            body["quiz"] == "gradients"
            and body["labs"] == ["linear-regression"]
            and body["fallback"] is False
        )

    def test_concepts_come_with_their_relations(self, client, course):
        body = client.get("/api/concepts/gradient-descent/").json()
        assert {"source": "gradient-descent", "kind": "uses", "target": "learning-rate"} in body["relations"]

    def test_search_explains_a_query_that_is_too_short(self, client, course):
        response = client.get("/api/search/", {"q": "x"}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400 and "at least 2" in response.json()["q"][0]
        hits = client.get("/api/search/", {"q": "卷积"}).json()
        assert {"kind": "lesson", "url": "/courses/test-course/convolution/"}.items() <= next(
            h for h in hits if h["kind"] == "lesson"
        ).items()

    def test_search_snippets_are_clean_text_not_markdown_or_tex(self, client, course):
        """A hit around a formula and a heading reads as the page does: symbols, not `\\alpha` or `## `."""
        hits = client.get("/api/search/", {"q": "learning rate"}, HTTP_ACCEPT_LANGUAGE="en").json()
        snippet = next(h for h in hits if h["url"] == "/courses/test-course/gradients/")["snippet"]
        assert "α is the <mark>learning</mark> <mark>rate</mark>" in snippet
        for source in ("\\alpha", "\\(", "$", "##", "θ_", "\\nabla"):
            assert source not in snippet
        assert "α" in snippet
