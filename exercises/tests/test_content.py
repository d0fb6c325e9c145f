"""The course's exercises as their authors wrote them: every hidden check's property has words in every
language, and the functions a learner is asked for (read from the starter code) are the ones the checks call."""

import pytest

from exercises.content import exercises


@pytest.mark.parametrize("slug", list(exercises()))
def test_every_exercise_is_complete(slug):
    exercise = exercises()[slug]
    cases, references = exercise.checks  # raises ContentError for a property without words
    assert cases
    assert exercise.functions == sorted({case.function for case in cases})
    assert all(case.function in references for case in cases), "the solution defines every checked function"
    for text in exercise.words.values():
        assert {case.property for case in cases} <= set(text.properties)


def test_a_lesson_page_links_its_exercises_in_its_language(client, shipped_course):
    """Each exercise is offered in its lesson's Practice section, titled in the page's language, with the lab it
    trains where it trains one; a lesson without exercises offers none."""
    page = client.get("/courses/ai-large-models/core-algorithms/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    ours = [e for e in exercises().values() if e.lesson == "core-algorithms"]
    assert ours and "Write it yourself" in page
    for exercise in ours:
        assert f'href="/exercises/{exercise.slug}/"' in page and exercise.in_language("en").title in page
    assert "trains the Linear regression lab" in page
    chinese = client.get(
        "/courses/ai-large-models/core-algorithms/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "自己动手写" in chinese and ours[0].in_language("zh-hans").title in chinese
    background = client.get(
        "/courses/ai-large-models/background/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Write it yourself" not in background
