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
