"""The GIFT reader and writer: Moodle's documented examples, every construct, every error, and round trips."""

import html
import random

import pytest

from quizzes.gift import BLANK, KINDS, GiftAnswer, GiftError, GiftQuestion, dump, parse


def one(source: str) -> GiftQuestion:
    """The single question a source holds."""
    questions = parse(source)
    assert len(questions) == 1, questions
    return questions[0]


def error(source: str) -> GiftError:
    with pytest.raises(GiftError) as info:
        parse(source)
    return info.value


def shown(text: str) -> str:
    """The characters a reader sees for a text in one of Moodle's formats: line breaks, references undone."""
    return html.unescape(text.replace("<br>\n", "\n"))


def texts(question: GiftQuestion) -> list[str]:
    return [answer.text for answer in question.answers]


def weights(question: GiftQuestion) -> list[float]:
    return [answer.weight for answer in question.answers]


# Moodle's question/format/gift/examples.txt, the examples its documentation walks through.
MOODLE_EXAMPLES = r"""//  EXAMPLE QUESTIONS for the GIFT import filter

Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}

Grant is {~buried =entombed ~living} in Grant's tomb.

Grant is buried in Grant's tomb.{FALSE}

Who's buried in Grant's tomb?{=no one =nobody}

When was Ulysses S. Grant born?{#1822:1}

// ===Multiple Choice===

The American holiday of Thanksgiving is celebrated on the {
    ~second
    ~third
    =fourth
} Thursday of November.

Japanese characters originally came from what country? {
    ~India
    =China
    ~Korea
    ~Egypt}

// ===Short Answer===

Two plus two equals {=four =4}.

// ===True-False===

The sun rises in the east.{T}

// ===Matching===

Match the following countries with their corresponding capitals. {
    =Canada -> Ottawa
    =Italy  -> Rome
    =Japan  -> Tokyo
    =India  -> New Delhi
    }

// ===Numerical===

When was Ulysses S. Grant born? {#1822}

What is the value of pi (to 3 decimal places)? {#3.1415:0.0005}.

What is the value of pi (to 3 decimal places)? {#3.141..3.142}.

When was Ulysses S. Grant born? {#
    =1822:0
    =%50%1822:2}

// Subheading: Numerical questions below
What's 2 plus 2? {#4}

::Kanji Origins::Japanese characters originally
came from what country? {=China}

// ===Feedback===

What's the answer to this multiple-choice question?{
~wrong answer#feedback comment on the wrong answer
~another wrong answer#feedback comment on this wrong answer
=right answer#Very good!}

// ===Specify text format===
[markdown]Who's buried in **Grant's tomb**?{
=no one#excellent answer!
=nobody#excellent answer!}

// ===Percentage Answer Weights===
Grant is buried in Grant's tomb.{FALSE#No one is buried in Grant's tomb.}

Difficult question.{~wrong answer ~%50%half credit answer =full credit answer}

::Jesus' hometown::Jesus Christ was from {
    ~Jerusalem#This was an important city, but the wrong answer.
    ~%25%Bethlehem#He was born here, but not raised here.
    ~%50%Galilee#You need to be more specific.
    =Nazareth#Yes! That's right!}.

// ===Multiple Answers===

What two people are entombed in Grant's tomb? {
    ~%-50%No one
    ~%50%Grant
    ~%50%Grant's wife
    ~%-50%Grant's father }

// ===Special Characters===
Which answer equals 5? {
     ~ \= 2 + 2
     = \= 2 + 3
     ~ \= 2 + 4  }

::GIFT Control Characters::
Which of the following is NOT a control character for the GIFT import format? {
   ~ \~     # \~ is a control character.
   ~ \=     # \= is a control character.
   ~ \#     # \# is a control character.
   ~ \{     # \{ is a control character.
   ~ \}     # \} is a control character.
   = \\     # Correct! \\ (backslash) is not a control character. BUT,
              it is used to escape the control characters.
}

Match the following countries with their corresponding
capitals.{=Canada->Ottawa =Italy->Rome =Japan->Tokyo}

//this comment will be ignored by the filter
::Numerical example::
When was Ulysses S. Grant born? {#
     =1822:0      #Correct! 100% credit
     =%50%1822:2  #He was born in 1822.
                  You get 50% credit for being close.
}
"""

# A file with every kind the platform stores, for the round trip.
EVERY_KIND = r"""// Every kind the platform stores.
$CATEGORY: course/every-kind

::single::Who's buried in Grant's tomb?{~Grant#No. ~Jefferson =no one#Right! ####Grant and his wife.}

::multiple::Which are prime? {~%50%2 ~%50%3 ~%-100%4#4 \= 2 × 2}

::truefalse::[html]The sun rises in the <b>east</b>.{T#It rises in the east.#Correct.}

::short::中国的首都是{=北京#对！ =%50%Beijing#请用中文。}。

::numeric::What is $\pi$? {#
    =3.141:0.0005#Good.
    =%50%3.14:0.005#Close.
    =%25%3..3.2
    ~#Not close.}

::matching::Match the capitals. {
    =Canada -> Ottawa
    =Italy -> Rome
    = -> Paris
}

$CATEGORY: course/other

::essay::[markdown]Explain **why** $\frac\{1\}\{2\} < 1$. {####A model answer.}

::description::[plain]Read *this* first.
"""


class ChoiceTests:
    def test_it_reads_a_single_choice_question(self) -> None:
        question = one("Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}")
        assert question == GiftQuestion(
            "single",
            "Who's buried in Grant's tomb?",
            answers=[GiftAnswer("Grant", weight=0), GiftAnswer("Jefferson", weight=0), GiftAnswer("no one")],
        )

    def test_it_reads_answers_spread_over_indented_lines(self) -> None:
        question = one(
            "Japanese characters originally came from what country? {\n    ~India\n    =China\n    ~Korea}"
        )
        assert question.kind == "single"
        assert texts(question) == ["India", "China", "Korea"]
        assert weights(question) == [0, 100, 0]

    def test_it_reads_feedback_for_each_answer(self) -> None:
        question = one(
            "::Q2:: What's between orange and green in the spectrum?\n"
            "{ =yellow # right; good! ~red # wrong, it's yellow ~blue # wrong, it's yellow }"
        )
        assert question.name == "Q2"
        assert [a.feedback for a in question.answers] == [
            "right; good!",
            "wrong, it's yellow",
            "wrong, it's yellow",
        ]

    def test_it_gives_partial_credit_in_a_single_choice_question(self) -> None:
        question = one("Difficult question.{~wrong answer ~%50%half credit answer =full credit answer}")
        assert question.kind == "single"
        assert weights(question) == [0, 50, 100]

    def test_it_reads_a_tilde_only_block_with_weights_as_multiple_answer(self) -> None:
        question = one(
            "What two people are entombed in Grant's tomb? "
            "{~No one ~%50%Grant ~%50%Grant's wife ~Grant's father}"
        )
        assert question.kind == "multiple"
        assert weights(question) == [0, 50, 50, 0]

    def test_it_reads_negative_weights(self) -> None:
        question = one("Which two? {~%-50%No one ~%50%Grant ~%50%Grant's wife ~%-50%Grant's father}")
        assert weights(question) == [-50, 50, 50, -50]

    def test_it_reads_a_single_full_weight_tilde_as_multiple_answer_like_moodle(self) -> None:
        """Moodle's own test: without any '=' the question allows several answers."""
        question = one("Colours? {~%100%yellow # right ~%-50%red # wrong ~%-50%blue # wrong}")
        assert question.kind == "multiple"
        assert weights(question) == [100, -50, -50]

    def test_it_counts_a_weight_written_after_equals(self) -> None:
        question = one("Pick one. {=best =%50%good ~bad}")
        assert question.kind == "single"
        assert weights(question) == [100, 50, 0]

    def test_it_reads_text_before_the_first_marker_as_a_wrong_choice(self) -> None:
        question = one("Pick one. {maybe ~no =yes}")
        assert texts(question) == ["maybe", "no", "yes"]
        assert weights(question) == [0, 0, 100]

    def test_it_rejects_a_question_without_a_correct_choice(self) -> None:
        problem = error("Intro line\nPick one. {~a ~b}")
        assert problem.line == 2
        assert "no choice is correct" in problem.reason

    def test_it_rejects_a_single_choice_question_without_a_full_credit_choice(self) -> None:
        problem = error("Pick one. {=%50%a ~b}")
        assert problem.line == 1
        assert "100%" in problem.reason and "50%" in problem.reason

    def test_it_rejects_multiple_answer_weights_that_do_not_add_up_to_100(self) -> None:
        problem = error("Pick two. {~%50%a ~%40%b ~c}")
        assert "add up to 100%" in problem.reason and "90%" in problem.reason

    def test_it_rejects_a_question_with_one_choice(self) -> None:
        assert "at least two choices" in error("Pick one. {~%100%only}").reason

    def test_it_rejects_an_empty_choice(self) -> None:
        problem = error("Pick one. {\n=a\n~\n}")
        assert problem.line == 3
        assert "no text" in problem.reason

    @pytest.mark.parametrize("weight", ["%150%", "%-101%"])
    def test_it_rejects_weights_outside_the_range(self, weight: str) -> None:
        problem = error(f"Pick one. {{\n=a\n~{weight}b\n}}")
        assert problem.line == 3
        assert "outside -100..100" in problem.reason

    def test_it_rejects_a_weight_that_is_not_a_number(self) -> None:
        assert "not a number" in error("Pick one. {=a ~%1.2.3%b}").reason


class ShortAnswerTests:
    def test_it_reads_a_block_of_equals_answers_as_short_answer(self) -> None:
        question = one("Who's buried in Grant's tomb?{=no one =nobody}")
        assert question.kind == "short"
        assert texts(question) == ["no one", "nobody"]
        assert weights(question) == [100, 100]

    @pytest.mark.parametrize("block", ["{=eight}", "{eight}"])
    def test_it_reads_a_lone_answer_with_or_without_equals(self, block: str) -> None:
        question = one(f"What's 6 plus 2? {block}")
        assert question.kind == "short"
        assert question.answers == [GiftAnswer("eight")]

    def test_it_reads_weights_wildcards_and_general_feedback(self) -> None:
        question = one(
            "::Shortanswer::Which is the best animal?{\n"
            "    =Frog#Good!\n"
            "    =%50%Cat#What is it with Moodlers and cats?\n"
            "    =%0%*#Completely wrong\n"
            "    ####[html]Here is some general feedback!\n"
            "}"
        )
        assert question.answers == [
            GiftAnswer("Frog", feedback="Good!"),
            GiftAnswer("Cat", weight=50, feedback="What is it with Moodlers and cats?"),
            GiftAnswer("*", weight=0, feedback="Completely wrong"),
        ]
        assert question.general_feedback == "Here is some general feedback!"

    def test_it_keeps_accepted_answers_verbatim_in_a_plain_question(self) -> None:
        """A learner types the answer, so plain-text escaping must not change what is accepted."""
        question = one("[plain]What is 2*3 written out? {=2*3 =6}")
        assert shown(question.text) == "What is 2*3 written out?"
        assert texts(question) == ["2*3", "6"]

    def test_it_reads_lowercase_true_as_a_short_answer_like_moodle(self) -> None:
        question = one("Say it. {true}")
        assert question.kind == "short"
        assert texts(question) == ["true"]

    def test_it_reads_an_arrow_in_a_lone_answer_as_text(self) -> None:
        question = one("Which way? {left->right}")
        assert question.kind == "short"
        assert texts(question) == ["left->right"]

    def test_it_rejects_answers_without_full_credit(self) -> None:
        problem = error("Say it. {=%50%maybe}")
        assert "worth 100%" in problem.reason

    def test_it_rejects_an_empty_answer(self) -> None:
        assert "empty" in error("Say it. {=}").reason


class TrueFalseTests:
    @pytest.mark.parametrize(("block", "true_weight"), [("T", 100), ("TRUE", 100), ("F", 0), ("FALSE", 0)])
    def test_it_reads_each_spelling(self, block: str, true_weight: float) -> None:
        question = one(f"The sun rises in the east.{{{block}}}")
        assert question.kind == "truefalse"
        assert question.answers == [
            GiftAnswer("true", weight=true_weight),
            GiftAnswer("false", weight=100 - true_weight),
        ]

    def test_it_shows_the_first_feedback_to_a_wrong_answer_when_true_is_right(self) -> None:
        question = one("1+1\\=2 {T#Think again.#Well done.}")
        true, false = question.answers
        assert (true.weight, true.feedback) == (100, "Well done.")
        assert (false.weight, false.feedback) == (0, "Think again.")

    def test_it_shows_the_first_feedback_to_a_wrong_answer_when_false_is_right(self) -> None:
        question = one("1+1\\=3 {F#Think again.#Well done.}")
        true, false = question.answers
        assert (true.weight, true.feedback) == (0, "Think again.")
        assert (false.weight, false.feedback) == (100, "Well done.")

    def test_it_reads_moodles_documented_false_feedback(self) -> None:
        question = one("Grant is buried in Grant's tomb.{FALSE#No one is buried in Grant's tomb.}")
        assert question.answers[0].feedback == "No one is buried in Grant's tomb."
        assert question.answers[1].feedback == ""

    def test_it_reads_general_feedback(self) -> None:
        question = one("The sun rises in the east.{TRUE####Because the Earth spins eastwards.}")
        assert question.kind == "truefalse"
        assert question.general_feedback == "Because the Earth spins eastwards."


class NumericTests:
    def test_it_reads_a_value(self) -> None:
        assert one("When was Ulysses S. Grant born? {#1822}").answers == [GiftAnswer(value=1822)]

    def test_it_reads_a_value_with_tolerance(self) -> None:
        question = one("What is the value of pi (to 3 decimal places)? {#3.1415:0.0005}")
        assert question.kind == "numeric"
        assert question.answers == [GiftAnswer(value=3.1415, tolerance=0.0005)]

    def test_it_reads_a_range(self) -> None:
        question = one("What is the value of pi (to 3 decimal places)? {#3.141..3.142}")
        assert question.answers == [GiftAnswer(low=3.141, high=3.142)]

    def test_it_reads_graded_answers_with_feedback(self) -> None:
        question = one(
            "::Numerical example::\nWhen was Ulysses S. Grant born? {#\n"
            "     =1822:0      #Correct! 100% credit\n"
            "     =%50%1822:2  #He was born in 1822.\n"
            "}"
        )
        assert question.answers == [
            GiftAnswer(value=1822, feedback="Correct! 100% credit"),
            GiftAnswer(value=1822, tolerance=2, weight=50, feedback="He was born in 1822."),
        ]

    def test_it_reads_a_final_tilde_as_any_other_value(self) -> None:
        question = one("Pi? {# =%100%3.141:0.0005 =%50%3.14:0.005 ~wrong#Not even close.}")
        assert question.answers == [
            GiftAnswer(value=3.141, tolerance=0.0005),
            GiftAnswer(value=3.14, tolerance=0.005, weight=50),
            GiftAnswer(text="wrong", weight=0, feedback="Not even close."),
        ]

    def test_it_reads_moodles_catch_all_feedback(self) -> None:
        question = one("::Q5:: What is a number from 1 to 5? {#3:2~#Completely wrong}")
        assert question.answers == [
            GiftAnswer(value=3, tolerance=2),
            GiftAnswer(text="", weight=0, feedback="Completely wrong"),
        ]

    def test_it_reads_a_star_answer_as_any_other_value(self) -> None:
        question = one("Pi? {#=3.14:0.01 =%0%*#No.}")
        assert question.answers[1] == GiftAnswer(text="*", weight=0, feedback="No.")

    def test_it_reads_signs_and_exponents(self) -> None:
        question = one("Cold? {#-1.5e3:+.5 =%50%-2..-1}")
        assert question.answers == [
            GiftAnswer(value=-1500, tolerance=0.5),
            GiftAnswer(weight=50, low=-2, high=-1),
        ]

    @pytest.mark.parametrize(
        ("block", "reason"),
        [
            ("{#abc}", "'abc' is not a number"),
            ("{#3,14}", "use '.' as the decimal separator"),
            ("{#3:x}", "'x' is not a number"),
            ("{#3:-1}", "tolerance in 3:-1 is negative"),
            ("{#5..1}", "runs backwards"),
            ("{#1e999}", "too large"),
            ("{#=}", "missing its number"),
            ("{#}", "has no answers"),
            ("{#~#Wrong. =3}", "comes last"),
            ("{#=%0%* =3}", "comes last"),
            ("{#~%50%#Half.}", "cannot carry a %weight%"),
            ("{#~#Only feedback.}", "at least one numeric answer"),
            ("{#=%50%3}", "worth 100%"),
        ],
    )
    def test_it_rejects_malformed_numbers(self, block: str, reason: str) -> None:
        problem = error(f"// a number\nWhat number? {block}")
        assert problem.line == 2
        assert reason in problem.reason


class MatchingTests:
    def test_it_reads_pairs(self) -> None:
        question = one(
            "Match the following countries with their corresponding capitals. {\n"
            "    =Canada -> Ottawa\n    =Italy  -> Rome\n"
            "    =Japan  -> Tokyo\n    =India  -> New Delhi\n    }"
        )
        assert question.kind == "matching"
        assert [(a.text, a.match) for a in question.answers] == [
            ("Canada", "Ottawa"),
            ("Italy", "Rome"),
            ("Japan", "Tokyo"),
            ("India", "New Delhi"),
        ]

    def test_it_reads_pairs_written_without_spaces(self) -> None:
        question = one(
            "Match the following countries with their corresponding\ncapitals.{=Canada->Ottawa =Italy->Rome}"
        )
        assert shown(question.text) == "Match the following countries with their corresponding\ncapitals."
        assert [(a.text, a.match) for a in question.answers] == [("Canada", "Ottawa"), ("Italy", "Rome")]

    def test_it_reads_formats_on_the_left_and_a_distractor(self) -> None:
        """Moodle's own import test: each left side has its own format; '= -> Chat' only adds a choice."""
        question = one(
            "::Moodle activities::[html]Match the <b>activity</b> to the description.{\n"
            "    =[html]An activity supporting asynchronous discussions. -> Forum\n"
            "    =[moodle]A teacher asks a question and specifies a choice of multiple responses. -> Choice\n"
            "    =[plain]A bank of record entries which participants can add to. -> Database\n"
            "    =[markdown]A collection of web pages that anyone can add to or edit. -> Wiki\n"
            "    = -> Chat\n"
            "}"
        )
        assert question.text == "Match the <b>activity</b> to the description."
        assert [(a.text, a.match) for a in question.answers] == [
            ("An activity supporting asynchronous discussions.", "Forum"),
            ("A teacher asks a question and specifies a choice of multiple responses.", "Choice"),
            ("A bank of record entries which participants can add to.", "Database"),
            ("A collection of web pages that anyone can add to or edit.", "Wiki"),
            ("", "Chat"),
        ]

    def test_it_reads_arrows_in_a_choice_question_as_text(self) -> None:
        question = one("Which holds? {=A -> B ~B -> A}")
        assert question.kind == "single"
        assert texts(question) == ["A -> B", "B -> A"]

    @pytest.mark.parametrize(
        ("block", "reason"),
        [
            ("{\n=Canada -> Ottawa\n=Italy\n}", "'Italy' is not a 'left -> right' pair"),
            ("{\n=Canada -> Ottawa\n=%50%Italy -> Rome\n}", "cannot carry a %weight%"),
            ("{\n=Canada -> Ottawa\n=Italy -> Rome#Yes\n}", "cannot have #feedback"),
            ("{\n=Canada -> Ottawa\n=Italy ->\n}", "nothing after '->'"),
        ],
    )
    def test_it_rejects_malformed_pairs(self, block: str, reason: str) -> None:
        problem = error(f"Match the capitals. {block}")
        assert problem.line == 3
        assert reason in problem.reason

    @pytest.mark.parametrize("block", ["{=Canada -> Ottawa}", "{=Canada -> Ottawa = -> Rome}"])
    def test_it_rejects_fewer_than_two_pairs(self, block: str) -> None:
        assert "at least two 'left -> right' pairs" in error(f"Match. {block}").reason


class EssayAndDescriptionTests:
    def test_it_reads_an_empty_block_as_an_essay(self) -> None:
        assert one("::Q8:: How are you? {}") == GiftQuestion("essay", "How are you?", name="Q8")

    def test_it_reads_an_essay_with_general_feedback(self) -> None:
        question = one("How are you? {\n####We hope you're feeling well.\n}")
        assert question == GiftQuestion(
            "essay", "How are you?", general_feedback="We hope you're feeling well."
        )

    def test_it_reads_text_without_a_block_as_a_description(self) -> None:
        question = one("::Intro::The next questions are about\nGrant's tomb.")
        assert question == GiftQuestion(
            "description", "The next questions are about<br>\nGrant's tomb.", name="Intro"
        )

    def test_it_rejects_a_title_without_text(self) -> None:
        assert "no text and no answer block" in error("::Lonely::").reason


class MissingWordTests:
    def test_it_marks_where_the_block_stood(self) -> None:
        question = one("Grant is {~buried =entombed ~living} in Grant's tomb.")
        assert question.text == f"Grant is {BLANK} in Grant's tomb."
        assert question.kind == "single"

    def test_it_treats_a_block_before_the_closing_punctuation_as_a_missing_word(self) -> None:
        question = one("Two plus two equals {=four =4}.")
        assert (question.kind, question.text) == ("short", f"Two plus two equals {BLANK}.")

    def test_it_reads_a_block_at_the_start(self) -> None:
        assert one("{=Paris} is the capital of France.").text == f"{BLANK} is the capital of France."

    def test_it_leaves_no_blank_when_the_block_ends_the_question(self) -> None:
        assert one("Grant is buried in Grant's tomb. {T}   ").text == "Grant is buried in Grant's tomb."

    def test_it_reads_a_missing_word_spread_over_lines(self) -> None:
        question = one(
            "The American holiday of Thanksgiving is celebrated on the {\n"
            "    ~second\n    ~third\n    =fourth\n} Thursday of November."
        )
        assert (
            question.text
            == f"The American holiday of Thanksgiving is celebrated on the {BLANK} Thursday of November."
        )


class TextTests:
    def test_it_joins_a_question_spread_over_lines(self) -> None:
        question = one("::Kanji Origins::Japanese characters originally\ncame from what country? {=China}")
        assert question.name == "Kanji Origins"
        assert shown(question.text) == "Japanese characters originally\ncame from what country?"

    def test_it_unescapes_gift_control_characters(self) -> None:
        question = one("Which answer equals 5? {\n     ~ \\= 2 + 2\n     = \\= 2 + 3\n     ~ \\= 2 + 4  }")
        assert [shown(text) for text in texts(question)] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]
        question = one("A\\: \\{b\\} \\# c \\~ d::e{=\\~#\\# is \\=}")
        assert shown(question.text) == "A: {b} # c ~ d::e"
        assert question.answers == [GiftAnswer("~", feedback="&#35; is =")]

    def test_it_unescapes_a_title(self) -> None:
        assert one("::Ratio 1\\:2::Is it? {T}").name == "Ratio 1:2"

    def test_it_keeps_other_backslashes_so_latex_survives(self) -> None:
        """Moodle's filters typeset \\(…\\), \\[…\\] and $$…$$ in every format; a single $ is a dollar."""
        question = one("Simplify \\(\\frac\\{1\\}\\{2\\} + \\alpha\\) in $5. {=$\\frac\\{1\\}\\{2\\}$ =0.5}")
        assert question.text == "Simplify \\(\\frac{1}{2} + \\alpha\\) in &#36;5."
        assert texts(question) == ["$\\frac{1}{2}$", "0.5"]
        assert one("Area: $$\\pi r^2$$ and \\[e^x\\]").text == "Area: \\(\\pi r^2\\) and \\[e^x\\]"

    def test_it_reads_backslash_n_as_a_newline_even_inside_latex(self) -> None:
        """Moodle's rule: '\\nabla' is a newline followed by 'abla'; write '\\\\nabla' for the symbol."""
        assert shown(one("Line one\\nLine two $\\nabla$").text) == "Line one\nLine two $\nabla$"
        assert shown(one("Gradient $\\\\nabla f$").text) == "Gradient $\\nabla f$"

    def test_it_reads_a_double_backslash_as_one(self) -> None:
        question = one("Which is not a control character? {~ \\~ = \\\\ # Correct! \\\\ escapes.}")
        assert question.answers[1] == GiftAnswer("&#92;", feedback="Correct! &#92; escapes.")

    def test_it_reads_chinese_text(self) -> None:
        question = one("::首都::中国的首都是{=北京#对！ =%50%Beijing#请用中文。####北京自1949年起为首都。}。")
        assert question.name == "首都"
        assert question.text == f"中国的首都是{BLANK}。"
        assert question.answers == [
            GiftAnswer("北京", feedback="对！"),
            GiftAnswer("Beijing", weight=50, feedback="请用中文。"),
        ]
        assert question.general_feedback == "北京自1949年起为首都。"

    def test_it_keeps_a_leading_ideographic_space(self) -> None:
        assert one("\u3000\u3000阅读下文。").text == "\u3000\u3000阅读下文。"

    def test_it_keeps_markdown_as_written(self) -> None:
        question = one("::Q::[markdown]Who's buried in **Grant's** <i>tomb</i>?{=no one}")
        assert question.text == "Who's buried in **Grant's** <i>tomb</i>?"

    @pytest.mark.parametrize("marker", ["[moodle]", "[html]", ""])
    def test_it_keeps_html_but_no_markdown_in_moodle_and_html_text(self, marker: str) -> None:
        question = one(f"::Q::{marker}Who's buried in **Grant's** <i>tomb</i>?{{=no one}}")
        assert question.text == "Who's buried in &#42;&#42;Grant's&#42;&#42; <i>tomb</i>?"

    def test_it_reads_default_text_as_moodle_auto_format_not_markdown(self) -> None:
        """The cases the outside test found: nothing here is a heading, an emphasis or an escape."""
        question = one("# of legs on a spider?{#8}")
        assert question.text == "&#35; of legs on a spider?"
        question = one("Is 2*3*4 = 24, and is __init__ on the C\\:\\\\ drive? {T}")
        assert shown(question.text) == "Is 2*3*4 = 24, and is __init__ on the C:\\ drive?"
        assert "*" not in question.text and "_" not in question.text

    def test_it_keeps_line_breaks_but_not_indentation_in_moodle_text(self) -> None:
        question = one("First line\\n    second line\\n\\nnew paragraph{T}")
        assert question.text == "First line<br>\nsecond line\n\nnew paragraph"

    def test_it_shows_plain_text_literally(self) -> None:
        question = one("[plain]Use *args, <b>_tags_</b>, Tom & Jerry <3 and $5 # 1. {T}")
        assert shown(question.text) == "Use *args, <b>_tags_</b>, Tom & Jerry <3 and $5 # 1."
        assert "<" not in question.text.replace("<br>", "")

    def test_it_escapes_plain_line_starts_for_markdown(self) -> None:
        question = one("[plain]1. Not a list\\n# Not a heading\\n - not a bullet\\n+ 2) = 3")
        assert (
            question.text
            == "1&#46; Not a list<br>\n&#35; Not a heading<br>\n&#45; not a bullet<br>\n&#43; 2) = 3"
        )

    def test_it_applies_the_question_format_to_answers_and_feedback(self) -> None:
        question = one("[plain]Pick *one*. {=a*b#*yes* ~[markdown]**c**#[html]<b>no</b> ####*See* notes}")
        assert question.answers == [
            GiftAnswer("a&#42;b", feedback="&#42;yes&#42;"),
            GiftAnswer("**c**", weight=0, feedback="<b>no</b>"),
        ]
        assert question.general_feedback == "&#42;See&#42; notes"

    def test_it_rejects_an_unknown_format(self) -> None:
        problem = error("Fine question {T}\n\n[HTML]Shouting? {T}")
        assert problem.line == 3
        assert "unknown text format [HTML]" in problem.reason

    def test_it_rejects_an_unknown_format_on_an_answer(self) -> None:
        problem = error("Pick. {\n=[rtf]a\n~b}")
        assert problem.line == 2
        assert "[rtf]" in problem.reason

    def test_it_reads_a_leading_markdown_link_as_text(self) -> None:
        assert (
            shown(one("[Moodle](https://moodle.org) is free. {T}").text)
            == "[Moodle](https://moodle.org) is free."
        )
        assert one("[markdown][Moodle](https://moodle.org) is free. {T}").text.startswith("[Moodle](")

    def test_it_ignores_comment_lines_even_inside_a_question(self) -> None:
        question = one("// heading\n::Q::Pick one. {\n  // the right one\n  =a\n  ~b\n}\n// trailer")
        assert question == GiftQuestion(
            "single", "Pick one.", "Q", [GiftAnswer("a"), GiftAnswer("b", weight=0)]
        )

    def test_it_reads_moodles_id_number_and_tags_from_comments(self) -> None:
        question = one(
            "// question: 1 name: Q\n// [id:Q\\]1] [tag:easy]\n// [tag:week 2] [tag:easy]\n::Q::Is it? {T}"
        )
        assert (question.idnumber, question.tags) == ("Q]1", ["easy", "week 2"])

    def test_it_reads_only_the_first_id_number_and_only_the_questions_own_comments(self) -> None:
        questions = parse("// [id:A] [id:B]\nFirst? {T}\n\n// [tag:lost]\n\nSecond? {T}")
        assert [(q.idnumber, q.tags) for q in questions] == [("A", []), ("", [])]

    def test_it_sets_the_category_of_the_questions_that_follow(self) -> None:
        questions = parse(
            "First? {T}\n\n$CATEGORY: $course$/top/Maths\n\nSecond? {T}\n\nThird? {F}\n\n"
            "$CATEGORY: tom/dick\nFourth, right after the category line? {T}"
        )
        assert [q.category for q in questions] == ["", "$course$/top/Maths", "$course$/top/Maths", "tom/dick"]

    def test_it_records_the_line_where_each_question_starts(self) -> None:
        questions = parse("// intro\n\nFirst? {T}\n\n\n$CATEGORY: c\n// note\nSecond\n{F}")
        assert [q.line for q in questions] == [3, 8]

    def test_it_reads_windows_line_endings_and_a_byte_order_mark(self) -> None:
        questions = parse("\ufeff::A::First\r\nline {T}\r\n\r\n::B::Second {F}\r\n")
        assert [(q.name, q.text) for q in questions] == [("A", "First<br>\nline"), ("B", "Second")]

    def test_it_ends_a_question_at_a_blank_line(self) -> None:
        """Blank lines separate questions, so one inside an answer block leaves it unclosed (as in Moodle)."""
        problem = error("Pick one. {\n=a\n\n~b\n}")
        assert problem.line == 1
        assert "never closed" in problem.reason


class ErrorTests:
    def test_it_reports_the_line_and_reason(self) -> None:
        problem = error("Fine? {T}\n\nBroken {=a")
        assert isinstance(problem, ValueError)
        assert (problem.line, problem.reason) == (3, "'{' is never closed with '}'")
        assert str(problem) == "line 3: '{' is never closed with '}'"

    def test_it_reports_the_first_problem(self) -> None:
        assert error("Fine? {T}\n\nFirst {=a\n\nSecond }").line == 3

    def test_it_rejects_a_closing_brace_without_an_opening_one(self) -> None:
        problem = error("What is\nthis } ?")
        assert problem.line == 2
        assert "no matching '{'" in problem.reason

    def test_it_rejects_two_answer_blocks(self) -> None:
        problem = error("Grant is {=entombed ~buried}\nin {=Grant's ~Lincoln's} tomb.")
        assert problem.line == 2
        assert "only one" in problem.reason and "line 1" in problem.reason

    def test_it_rejects_a_brace_inside_a_block(self) -> None:
        problem = error("Pick {=a\n~b {c}")
        assert problem.line == 2
        assert "inside the answer block opened on line 1" in problem.reason

    def test_it_rejects_an_unclosed_title(self) -> None:
        problem = error("::Title without end\nWhat? {T}")
        assert problem.line == 1
        assert "never closed with '::'" in problem.reason

    def test_it_rejects_two_general_feedbacks(self) -> None:
        problem = error("Why? {\n####One\n####Two\n}")
        assert problem.line == 2
        assert "only one '####'" in problem.reason

    def test_it_rejects_the_blank_mark_twice_in_a_question_with_answers(self) -> None:
        problem = error(f"Fill {BLANK} and {{=a}} too.")
        assert problem.line == 1
        assert "more than once" in problem.reason

    def test_it_rejects_the_characters_it_uses_internally(self) -> None:
        problem = error("Fine? {T}\n\nOdd \ufdd3 character {T}")
        assert problem.line == 3
        assert "U+FDD3" in problem.reason


class MoodleExamplesTests:
    def test_it_reads_every_question_in_moodles_examples(self) -> None:
        questions = parse(MOODLE_EXAMPLES)
        assert [q.kind for q in questions] == [
            *("single", "single", "truefalse", "short", "numeric"),
            *("single", "single", "short", "truefalse", "matching"),
            *("numeric", "numeric", "numeric", "numeric", "numeric"),
            *("short", "single", "short", "truefalse", "single", "single"),
            *("multiple", "single", "single", "matching", "numeric"),
        ]

    def test_it_reads_the_control_characters_example(self) -> None:
        question = next(q for q in parse(MOODLE_EXAMPLES) if q.name == "GIFT Control Characters")
        assert [shown(text) for text in texts(question)] == ["~", "=", "#", "{", "}", "\\"]
        assert shown(question.answers[5].feedback) == (
            "Correct! \\ (backslash) is not a control character. BUT,\nit is used to escape the control characters."
        )

    def test_it_reads_the_weighted_missing_word_example(self) -> None:
        question = next(q for q in parse(MOODLE_EXAMPLES) if q.name == "Jesus' hometown")
        assert question.text == f"Jesus Christ was from {BLANK}."
        assert weights(question) == [0, 25, 50, 100]
        assert question.answers[3].feedback == "Yes! That's right!"


class DumpTests:
    def test_it_writes_canonical_gift(self) -> None:
        questions = [
            GiftQuestion(
                "single",
                "What is $\\frac{1}{2} + \\frac{1}{2}$?",
                name="half",
                category="maths",
                answers=[
                    GiftAnswer("1", feedback="Yes!"),
                    GiftAnswer("2", weight=0, feedback="No: 1/2 + 1/2 = 1"),
                ],
                general_feedback="Add the numerators.",
            ),
            GiftQuestion(
                "truefalse",
                "2 > 1",
                name="order",
                category="maths",
                answers=[
                    GiftAnswer("true", weight=100, feedback="Right"),
                    GiftAnswer("false", weight=0, feedback="Think again"),
                ],
            ),
        ]
        assert dump(questions) == (
            "$CATEGORY: maths\n"
            "\n"
            "::half::[markdown]What is $\\frac\\{1\\}\\{2\\} + \\frac\\{1\\}\\{2\\}$? {\n"
            "\t=1#Yes!\n"
            "\t~2#No: 1/2 + 1/2 \\= 1\n"
            "\t####Add the numerators.\n"
            "}\n"
            "\n"
            "::order::[markdown]2 > 1 {TRUE#Think again#Right}\n"
        )

    def test_it_writes_each_kind_in_moodles_syntax(self) -> None:
        gift = dump(parse(EVERY_KIND))
        assert (
            "::multiple::[markdown]Which are prime? {\n\t~%50%2\n\t~%50%3\n\t~%-100%4#4 \\= 2 × 2\n}" in gift
        )
        assert "::short::[markdown]中国的首都是{\n\t=北京#对！\n\t=%50%Beijing#请用中文。\n}。" in gift
        assert "{#\n\t=3.141:0.0005#Good.\n\t=%50%3.14:0.005#Close.\n\t=%25%3..3.2\n\t~#Not close.\n}" in gift
        assert "{\n\t=Canada -> Ottawa\n\t=Italy -> Rome\n\t= -> Paris\n}" in gift
        assert (
            "::essay::[markdown]Explain **why** $\\frac\\{1\\}\\{2\\} < 1$. {\n\t####A model answer.\n}"
            in gift
        )
        assert "::description::[markdown]Read &#42;this&#42; first.\n" in gift

    def test_it_writes_a_category_line_only_when_the_category_changes(self) -> None:
        gift = dump(
            [
                GiftQuestion("description", "One", category="a"),
                GiftQuestion("description", "Two", category="a"),
                GiftQuestion("description", "Three", category=""),
            ]
        )
        assert gift == "$CATEGORY: a\n\n[markdown]One\n\n[markdown]Two\n\n$CATEGORY:\n\n[markdown]Three\n"

    def test_it_writes_newlines_and_backslashes_so_they_read_back(self) -> None:
        question = GiftQuestion("description", "Para one\n\nPara two $\\nabla$ and C:\\")
        gift = dump([question])
        assert gift == "[markdown]Para one\\n\\nPara two $\\\\nabla$ and C:\\\\\n"
        assert parse(gift) == [question]

    def test_it_writes_a_block_at_the_very_start_of_a_missing_word_question(self) -> None:
        question = GiftQuestion("short", f"{BLANK} is the capital of France.", answers=[GiftAnswer("Paris")])
        assert dump([question]) == "[markdown]{\n\t=Paris\n} is the capital of France.\n"

    def test_it_guards_texts_that_look_like_weights_or_format_markers(self) -> None:
        question = GiftQuestion(
            "single", "[note] Pick.", answers=[GiftAnswer("%50% off"), GiftAnswer("[x] box", weight=0)]
        )
        assert dump([question]) == "[markdown][note] Pick. {\n\t=%100%%50% off\n\t~[markdown][x] box\n}\n"
        assert parse(dump([question])) == [question]

    def test_it_normalises_whitespace_and_number_types(self) -> None:
        question = GiftQuestion(
            "numeric", "  Pi?\r\n", answers=[GiftAnswer(value=3, tolerance=1, weight=100)]
        )
        assert parse(dump([question])) == [
            GiftQuestion("numeric", "Pi?", answers=[GiftAnswer(value=3.0, tolerance=1.0)])
        ]

    def test_it_writes_a_literal_blank_at_the_end_before_the_block(self) -> None:
        question = GiftQuestion("short", f"Fill in: {BLANK}", answers=[GiftAnswer("Paris")])
        assert dump([question]) == f"[markdown]Fill in: {BLANK} {{\n\t=Paris\n}}\n"
        assert parse(dump([question])) == [question]

    def test_it_writes_nothing_for_no_questions(self) -> None:
        assert dump([]) == ""

    @pytest.mark.parametrize(
        ("question", "reason"),
        [
            (
                GiftQuestion(
                    "matching", "M", answers=[GiftAnswer("a -> b", match="c"), GiftAnswer("d", match="e")]
                ),
                "answer 1's text would read back as 'a'",
            ),
            (
                GiftQuestion("short", "S", answers=[GiftAnswer("a->b"), GiftAnswer("c")]),
                "is not a 'left -> right' pair",
            ),
            (
                GiftQuestion("short", f"{BLANK} and {BLANK}", answers=[GiftAnswer("a")]),
                "more than once",
            ),
            (
                GiftQuestion("truefalse", "T", answers=[GiftAnswer("true"), GiftAnswer("false")]),
                "one worth 100% and the other 0%",
            ),
            (GiftQuestion("description", ""), "no text and no answer block"),
            (
                GiftQuestion("description", "D", general_feedback="G"),
                "general_feedback would read back as ''",
            ),
            (GiftQuestion("cloze", "C"), "unknown question kind 'cloze'"),
            (
                GiftQuestion("single", "S", answers=[GiftAnswer("a", weight=50), GiftAnswer("b", weight=0)]),
                "100%",
            ),
            (GiftQuestion("essay", "E", category="a\nb"), "cannot span several lines"),
            (
                GiftQuestion("short", "S", answers=[GiftAnswer("a", value=3)]),
                "answer 1's value would read back",
            ),
        ],
    )
    def test_it_refuses_questions_gift_cannot_hold(self, question: GiftQuestion, reason: str) -> None:
        question.line = 42
        with pytest.raises(GiftError) as info:
            dump([question])
        assert info.value.line == 42
        assert reason in info.value.reason


# Pieces for generated texts: GIFT's special characters, LaTeX, Chinese, Markdown, HTML, look-alike markers.
WORDS = [
    "Grant",
    "tomb",
    "中国",
    "答案。",
    "$\\frac{1}{2}$",
    "\\alpha",
    "\\n",
    "\\",
    "C:\\",
    "{",
    "}",
    "~",
    "=",
    "#",
    "##",
    "####",
    ":",
    "::",
    "%",
    "50%",
    "[html]",
    "[note]",
    "[x](y)",
    "**b**",
    "<b>x</b>",
    "//",
    "$CATEGORY:",
    "T",
    "FALSE",
    "*",
    "\n",
    "\n\n",
    "\u3000",
    "\t",
    "-",
    ">",
    "1.",
]


def generated_text(rng: random.Random, *, arrow: bool = True, percent: bool = True) -> str:
    """A trimmed text; no '->' where GIFT reads it as a matching pair, no '%' where it reads a weight."""
    words = [w for w in WORDS if percent or "%" not in w] + (["->"] if arrow else [])
    text = "".join(rng.choice(["", " "]) + rng.choice(words) for _ in range(rng.randint(1, 4)))
    return text.strip(" \t\n\r\x0b\x0c") or "x"


def generated_question(rng: random.Random, kind: str) -> GiftQuestion:
    def text(**options: bool) -> str:
        return generated_text(rng, **options)

    def maybe(**options: bool) -> str:
        return text(**options) if rng.random() < 0.5 else ""

    answers: list[GiftAnswer] = []
    if kind == "single":
        answers = [GiftAnswer(text(), weight=100, feedback=maybe())]
        answers += [
            GiftAnswer(text(), weight=rng.choice([0, 0, 25, -50, 100]), feedback=maybe()) for _ in range(3)
        ]
        rng.shuffle(answers)
    elif kind == "multiple":
        positives = rng.choice([[100], [50, 50], [25, 75], [33.33, 33.33, 33.34], [12.5] * 8])
        answers = [GiftAnswer(text(), weight=w, feedback=maybe()) for w in [*positives, 0, -100]]
        rng.shuffle(answers)
    elif kind == "truefalse":
        correct = rng.random() < 0.5
        answers = [
            GiftAnswer("true", weight=100 if correct else 0, feedback=maybe()),
            GiftAnswer("false", weight=0 if correct else 100, feedback=maybe()),
        ]
    elif kind == "short":
        answers = [GiftAnswer(text(arrow=False), weight=100, feedback=maybe(arrow=False))]
        answers += [GiftAnswer(text(arrow=False), weight=rng.choice([0, 50]), feedback=maybe(arrow=False))]
    elif kind == "numeric":
        answers = [
            GiftAnswer(
                value=round(rng.uniform(-1e4, 1e4), rng.randint(0, 6)), tolerance=rng.choice([0, 0.5, 1e-7])
            ),
            GiftAnswer(weight=50, low=-1.5, high=rng.choice([-1.5, 2, 3e20]), feedback=maybe()),
            GiftAnswer(text=rng.choice(["", "*", "wrong"]), weight=0, feedback=maybe()),
        ]
    elif kind == "matching":
        answers = [
            GiftAnswer(text(arrow=False, percent=False), match=text()) for _ in range(rng.randint(2, 4))
        ]
        answers.append(GiftAnswer("", match=text()))
    general_feedback = maybe() if kind != "description" else ""
    body = text()
    if kind != "description" and rng.random() < 0.5:
        body = f"{text()} {BLANK} {text()}"
    return GiftQuestion(
        kind,
        body,
        name=maybe(),
        answers=answers,
        general_feedback=general_feedback,
        category=rng.choice(["", "a", "a/b", "$course$/top/中文"]),
    )


class RoundTripTests:
    def test_it_round_trips_a_file_with_every_kind(self) -> None:
        questions = parse(EVERY_KIND)
        assert sorted(q.kind for q in questions) == sorted(KINDS)
        gift = dump(questions)
        assert parse(gift) == questions
        assert dump(parse(gift)) == gift

    def test_it_round_trips_moodles_examples(self) -> None:
        questions = parse(MOODLE_EXAMPLES)
        gift = dump(questions)
        assert parse(gift) == questions
        assert dump(parse(gift)) == gift

    def test_it_ignores_the_line_in_equality(self) -> None:
        assert GiftQuestion("essay", "E", line=1) == GiftQuestion("essay", "E", line=7)

    def test_it_round_trips_generated_question_lists(self) -> None:
        rng = random.Random(20240601)
        for _ in range(300):
            questions = [generated_question(rng, rng.choice(KINDS)) for _ in range(rng.randint(1, 6))]
            gift = dump(questions)
            assert parse(gift) == questions, gift
            assert dump(parse(gift)) == gift

    def test_it_reads_random_gift_either_faithfully_or_with_a_gift_error(self) -> None:
        pieces = [
            "::",
            "::T::",
            "{",
            "}",
            "=",
            "~",
            "#",
            "####",
            "->",
            "%50%",
            "%-50%",
            "%150%",
            "T",
            "F",
            "a",
            "b c",
            "中文",
            "\\",
            "\\{",
            "\\}",
            "\\=",
            "\\#",
            "\\n",
            "\\\\",
            "\n",
            " ",
            "\n\n",
            "//c\n",
            "$CATEGORY: x\n",
            "[html]",
            "[plain]",
            "[foo]",
            "*",
            "3",
            ":",
            "..",
            "1..2",
            "-1",
            ",",
            "%",
            BLANK,
            "[x](y)",
            "{#",
            "\n=",
            "\n~",
            "{=a ~b}",
            "{T#x#y}",
            "=3:1",
            " -> ",
            "=a -> b",
        ]
        rng = random.Random(7)
        read = 0
        for _ in range(3000):
            source = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 20)))
            try:
                questions = parse(source)
            except GiftError:
                continue
            read += 1
            gift = dump(questions)
            assert parse(gift) == questions, source
        assert read > 500
