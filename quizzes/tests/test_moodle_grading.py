"""GIFT files graded and named as Moodle grades and names them (qformat_gift, qtype_shortanswer,
qtype_numerical): the first matching answer in the author's order, ends trimmed only, names from the text."""

import pytest

from quizzes import bank
from quizzes.grading import grade
from quizzes.models import Quiz


@pytest.fixture
def quiz(db):
    return Quiz.objects.create(slug="moodle", title_en="Moodle")


def fraction(quiz: Quiz, name: str, given: object) -> float | None:
    return grade(quiz.questions.get(name=name), given).fraction


@pytest.mark.django_db
class MoodleGradingTests:
    def test_the_first_matching_short_answer_wins_not_the_best(self, quiz):
        bank.import_gift(quiz, "::c::Spell it. {=%50%colo*r =colour}", "en")
        assert fraction(quiz, "c", "colour") == 0.5 and fraction(quiz, "c", "color") == 0.5

    def test_the_first_matching_numeric_answer_wins_and_a_star_grades_what_it_says(self, quiz):
        bank.import_gift(quiz, "::pi::Pi? {#=%50%3:1 =3.1416:0.001 =%10%*}", "en")
        assert fraction(quiz, "pi", "3.1416") == 0.5  # 3 ± 1 comes first
        assert fraction(quiz, "pi", "100") == 0.1  # "any other value" is worth what the author wrote

    def test_a_short_answers_inner_spaces_count_and_its_ends_do_not(self, quiz):
        bank.import_gift(quiz, "::city::Which city? {=New York}", "en")
        assert fraction(quiz, "city", "  new york \t") == 1.0
        assert fraction(quiz, "city", "NewYork") == 0.0
        assert fraction(quiz, "city", "New  York") == 0.0

    def test_equals_with_a_weight_in_a_choice_block_is_a_full_credit_choice_as_in_moodle(self, quiz):
        bank.import_gift(quiz, "::pick::Pick. {=%50%half ~none}", "en")
        first = quiz.questions.get(name="pick").answers.first()
        assert first.weight == 100 and first.text_md_en == "%50%half"

    def test_an_untitled_question_is_named_from_its_text_as_moodle_does(self, quiz):
        long = "Which of these optimisers adapts the step size of every parameter from the running averages of its gradients?"
        source = "\n\n".join(
            [
                "What is 2 + 2? {#4}",
                "The sky is {=blue} today.",
                f"{long} {{=Adam ~SGD}}",
                "哪一种优化器会根据梯度的滑动平均为每个参数调整步长，并且在大多数深度学习任务中都是一个可靠的默认选择，"
                "尤其是在训练变换器模型和卷积网络时？它的名字来自自适应矩估计。 {=Adam ~SGD}",
                "<b>Bold</b> question? {T}",
            ]
        )
        bank.import_gift(quiz, source, "en")
        names = list(quiz.questions.values_list("name", flat=True))
        assert names[0] == "What is 2 + 2?"
        assert names[1] == "The sky is _____ today."
        assert names[2] == "Which of these optimisers adapts the step size of every parameter from the ..."
        assert len(names[3]) == 80 and names[3].endswith("...")  # CJK text is cut at any character
        assert names[4] == "Bold question?"

    def test_names_and_categories_hold_moodles_255_characters(self, quiz):
        name, category = "n" * 255, "c" * 255
        bank.import_gift(quiz, f"$CATEGORY: {category}\n::{name}::Long? {{T}}", "en")
        question = quiz.questions.get()
        assert question.name == name and question.category == category
        with pytest.raises(bank.BankError) as caught:
            bank.import_gift(quiz, f"::{name}n::Too long? {{T}}", "en")
        assert "at most 255" in caught.value.message
