"""The GIFT reader and writer: every construct Moodle's GIFT documentation and import tests exercise (in cases of
our own), every error, and round trips."""

import ast
import html
import random
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

from quizzes import gift, moodle_xml
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


# Our own file in the shape of Moodle's GIFT examples: each construct its documentation walks through, once.
GIFT_EXAMPLES = r"""//  Example questions for the GIFT reader, one for each construct

Which optimiser keeps a running average of squared gradients?{~Plain SGD ~Momentum =RMSProp}

Gradient descent moves the weights {~along =against ~across} the gradient.

A learning rate of 10 is safe for every network.{FALSE}

Which activation is max(0, x)?{=ReLU =rectified linear unit}

In what year was the perceptron introduced?{#1958:1}

// ===Multiple Choice===

Backpropagation was popularised in a paper published in the {
    ~1950s
    ~1970s
    =1980s
} by Rumelhart, Hinton and Williams.

Which activation squashes its input into (0, 1)? {
    ~ReLU
    =Sigmoid
    ~tanh
    ~Identity}

// ===Short Answer===

One epoch over 40 examples in batches of 10 takes {=four =4}.

// ===True-False===

Dropout is switched off at evaluation time.{T}

// ===Matching===

Match each model with the data it was built for. {
    =CNN  -> images
    =RNN  -> sequences
    =GNN  -> graphs
    =MLP  -> feature vectors
    }

// ===Numerical===

In what year did AlexNet win ImageNet? {#2012}

What is ln 2, a fair coin's entropy in nats (to 3 decimal places)? {#0.6935:0.0005}.

What is ln 2, a fair coin's entropy in nats (to 3 decimal places)? {#0.693..0.694}.

In what year was the Transformer paper published? {#
    =2017:0
    =%50%2017:2}

// The questions below take a number
How many weights has a 3 by 3 kernel on one channel? {#9}

::Attention Origins::The attention mechanism was first applied
to which task? {=machine translation}

// ===Feedback===

Which loss suits a classifier?{
~mean squared error#It suits regression better.
~absolute error#It suits regression too.
=cross-entropy#Very good!}

// ===Specify text format===
[markdown]Which layer **normalises** each example's features?{
=layer norm#exactly!
=layer normalisation#exactly!}

// ===Percentage Answer Weights===
A deeper network always generalises better.{FALSE#Deeper networks can overfit.}

Which regulariser adds the sum of absolute weights?{~Dropout ~%50%Weight decay =L1 penalty}

::Adam's ancestry::Adam combines RMSProp with {
    ~Dropout#A regulariser, not part of an optimiser.
    ~%25%Nesterov#Close, but Adam's momentum is the plain kind.
    ~%50%Averaging#You need to be more specific.
    =Momentum#Yes! That's right!}.

// ===Multiple Answers===

Which two are activation functions? {
    ~%-50%SGD
    ~%50%ReLU
    ~%50%GELU
    ~%-50%Adam }

// ===Special Characters===
Which learning rate is 0.01? {
     ~ \= 1 / 1000
     = \= 1 / 100
     ~ \= 1 / 10  }

::Escaped Characters::
Which of these does GIFT NOT treat as a control character? {
   ~ \~     # \~ is a control character.
   ~ \=     # \= is a control character.
   ~ \#     # \# is a control character.
   ~ \{     # \{ is a control character.
   ~ \}     # \} is a control character.
   ~ \:     # \: is a control character.
   = \\     # Yes: \\ (backslash) is the escape character itself. Write it
              before a control character to make that character literal.
}

Match each optimiser with the idea
it adds.{=Momentum->velocity =RMSProp->scaling =Adam->both}

//the reader skips this comment
::Graded numbers::
In what year was the ImageNet dataset released? {#
     =2009:0      #Correct! Full credit
     =%50%2009:2  #It was released in 2009.
                  Half credit for being close.
}
"""

# A file with every kind the platform stores, for the round trip.
EVERY_KIND = r"""// Every kind the platform stores.
$CATEGORY: course/every-kind

::single::Which optimiser adapts each weight's step?{~SGD#No. ~Momentum =Adam#Right! ####It scales by gradient history.}

::multiple::Which are prime? {~%50%2 ~%50%3 ~%-100%4#4 \= 2 × 2}

::truefalse::[html]ReLU is <b>zero</b> for negative inputs.{T#It is max(0, x).#Correct.}

::short::中国的首都是{=北京#对！ =%50%Beijing#请用中文。}。

::numeric::What is $\pi$? {#
    =3.141:0.0005#Good.
    =%50%3.14:0.005#Close.
    =%25%3..3.2
    ~#Not close.}

::matching::Match the models. {
    =CNN -> images
    =RNN -> sequences
    = -> graphs
}

$CATEGORY: course/other

::essay::[markdown]Explain **why** $\frac\{1\}\{2\} < 1$. {####A model answer.}

::description::[plain]Read *this* first.
"""


class ChoiceTests:
    def test_it_reads_a_single_choice_question(self) -> None:
        question = one(
            "Which optimiser keeps a running average of squared gradients?{~Plain SGD ~Momentum =RMSProp}"
        )
        assert question == GiftQuestion(
            "single",
            "Which optimiser keeps a running average of squared gradients?",
            answers=[
                GiftAnswer("Plain SGD", weight=0),
                GiftAnswer("Momentum", weight=0),
                GiftAnswer("RMSProp"),
            ],
        )

    def test_it_reads_answers_spread_over_indented_lines(self) -> None:
        question = one(
            "Which activation squashes its input into (0, 1)? {\n    ~ReLU\n    =Sigmoid\n    ~tanh}"
        )
        assert question.kind == "single"
        assert texts(question) == ["ReLU", "Sigmoid", "tanh"]
        assert weights(question) == [0, 100, 0]

    def test_it_reads_feedback_for_each_answer(self) -> None:
        question = one(
            "::Zero below:: Which activation is zero for every negative input?\n"
            "{ =ReLU # yes; well done! ~tanh # no, it's ReLU ~sigmoid # no, it's ReLU }"
        )
        assert question.name == "Zero below"
        assert [a.feedback for a in question.answers] == [
            "yes; well done!",
            "no, it's ReLU",
            "no, it's ReLU",
        ]

    def test_it_gives_partial_credit_in_a_single_choice_question(self) -> None:
        question = one(
            "Which regulariser adds the sum of absolute weights?{~Dropout ~%50%Weight decay =L1 penalty}"
        )
        assert question.kind == "single"
        assert weights(question) == [0, 50, 100]

    def test_it_reads_a_tilde_only_block_with_weights_as_multiple_answer(self) -> None:
        question = one("Which two are activation functions? {~SGD ~%50%ReLU ~%50%GELU ~Adam}")
        assert question.kind == "multiple"
        assert weights(question) == [0, 50, 50, 0]

    def test_it_reads_negative_weights(self) -> None:
        question = one("Which two? {~%-50%SGD ~%50%ReLU ~%50%GELU ~%-50%Adam}")
        assert weights(question) == [-50, 50, 50, -50]

    def test_it_reads_a_single_full_weight_tilde_as_multiple_answer_like_moodle(self) -> None:
        """As in Moodle: without any '=' the question allows several answers."""
        question = one("Activations? {~%100%ReLU # right ~%-50%SGD # wrong ~%-50%Adam # wrong}")
        assert question.kind == "multiple"
        assert weights(question) == [100, -50, -50]

    def test_it_reads_a_weight_after_equals_as_text_as_moodle_does(self) -> None:
        # qformat_gift: an answer starting with '=' is worth 100% and the rest is its text.
        question = one("Pick one. {=best =%50%good ~%25%fair ~bad}")
        assert question.kind == "single"
        assert weights(question) == [100, 100, 25, 0]
        assert texts(question) == ["best", "%50%good", "fair", "bad"]

    def test_it_reads_text_before_the_first_marker_as_a_wrong_choice(self) -> None:
        question = one("Pick one. {maybe ~no =yes}")
        assert texts(question) == ["maybe", "no", "yes"]
        assert weights(question) == [0, 0, 100]

    def test_it_rejects_a_question_without_a_correct_choice(self) -> None:
        problem = error("Intro line\nPick one. {~a ~b}")
        assert problem.line == 2
        assert "no choice is correct" in problem.reason

    def test_it_accepts_a_choice_written_with_equals_and_a_weight_as_full_credit(self) -> None:
        question = one("Pick one. {=%50%a ~b}")
        assert weights(question) == [100, 0] and texts(question) == ["%50%a", "b"]

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
        question = one("Which activation is max(0, x)?{=ReLU =rectified linear unit}")
        assert question.kind == "short"
        assert texts(question) == ["ReLU", "rectified linear unit"]
        assert weights(question) == [100, 100]

    @pytest.mark.parametrize("block", ["{=eight}", "{eight}"])
    def test_it_reads_a_lone_answer_with_or_without_equals(self, block: str) -> None:
        question = one(f"How many bits does an 8-bit quantised weight take? {block}")
        assert question.kind == "short"
        assert question.answers == [GiftAnswer("eight")]

    def test_it_reads_weights_wildcards_and_general_feedback(self) -> None:
        question = one(
            "::Default optimiser::Which optimiser do most courses start with?{\n"
            "    =Adam#Yes.\n"
            "    =%50%AdamW#Close: that is Adam with decoupled weight decay.\n"
            "    =%0%*#Not an optimiser we know\n"
            "    ####[html]Adam adapts the step size of each weight.\n"
            "}"
        )
        assert question.answers == [
            GiftAnswer("Adam", feedback="Yes."),
            GiftAnswer("AdamW", weight=50, feedback="Close: that is Adam with decoupled weight decay."),
            GiftAnswer("*", weight=0, feedback="Not an optimiser we know"),
        ]
        assert question.general_feedback == "Adam adapts the step size of each weight."

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
        question = one(f"Dropout is switched off at evaluation time.{{{block}}}")
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

    def test_it_reads_the_feedback_of_a_false_statement(self) -> None:
        question = one("A deeper network always generalises better.{FALSE#Deeper networks can overfit.}")
        assert question.answers[0].feedback == "Deeper networks can overfit."
        assert question.answers[1].feedback == ""

    def test_it_reads_general_feedback(self) -> None:
        question = one("Dropout is switched off at evaluation time.{TRUE####Every unit is kept to evaluate.}")
        assert question.kind == "truefalse"
        assert question.general_feedback == "Every unit is kept to evaluate."


class NumericTests:
    def test_it_reads_a_value(self) -> None:
        assert one("In what year did AlexNet win ImageNet? {#2012}").answers == [GiftAnswer(value=2012)]

    def test_it_reads_a_value_with_tolerance(self) -> None:
        question = one("What is ln 2, a fair coin's entropy in nats (to 3 decimal places)? {#0.6935:0.0005}")
        assert question.kind == "numeric"
        assert question.answers == [GiftAnswer(value=0.6935, tolerance=0.0005)]

    def test_it_reads_a_range(self) -> None:
        question = one("What is ln 2, a fair coin's entropy in nats (to 3 decimal places)? {#0.693..0.694}")
        assert question.answers == [GiftAnswer(low=0.693, high=0.694)]

    def test_it_reads_graded_answers_with_feedback(self) -> None:
        question = one(
            "::Graded numbers::\nIn what year was the Transformer paper published? {#\n"
            "     =2017:0      #Correct! 100% credit\n"
            "     =%50%2017:2  #It was published in 2017.\n"
            "}"
        )
        assert question.answers == [
            GiftAnswer(value=2017, feedback="Correct! 100% credit"),
            GiftAnswer(value=2017, tolerance=2, weight=50, feedback="It was published in 2017."),
        ]

    def test_it_reads_a_final_tilde_as_any_other_value(self) -> None:
        question = one("ln 2? {# =%100%0.693:0.0005 =%50%0.69:0.005 ~wrong#Not even close.}")
        assert question.answers == [
            GiftAnswer(value=0.693, tolerance=0.0005),
            GiftAnswer(value=0.69, tolerance=0.005, weight=50),
            GiftAnswer(text="wrong", weight=0, feedback="Not even close."),
        ]

    def test_it_reads_a_catch_all_feedback_right_after_the_number(self) -> None:
        question = one("::Batch:: Name a batch size from 16 to 48. {#32:16~#Out of range}")
        assert question.answers == [
            GiftAnswer(value=32, tolerance=16),
            GiftAnswer(text="", weight=0, feedback="Out of range"),
        ]

    def test_it_reads_a_star_answer_as_any_other_value(self) -> None:
        question = one("ln 2? {#=0.69:0.01 =%0%*#No.}")
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
            "Match each model with the data it was built for. {\n"
            "    =CNN  -> images\n    =RNN  -> sequences\n"
            "    =GNN  -> graphs\n    =MLP  -> feature vectors\n    }"
        )
        assert question.kind == "matching"
        assert [(a.text, a.match) for a in question.answers] == [
            ("CNN", "images"),
            ("RNN", "sequences"),
            ("GNN", "graphs"),
            ("MLP", "feature vectors"),
        ]

    def test_it_reads_pairs_written_without_spaces(self) -> None:
        question = one("Match each optimiser with the idea\nit adds.{=Momentum->velocity =RMSProp->scaling}")
        assert shown(question.text) == "Match each optimiser with the idea\nit adds."
        assert [(a.text, a.match) for a in question.answers] == [
            ("Momentum", "velocity"),
            ("RMSProp", "scaling"),
        ]

    def test_it_reads_formats_on_the_left_and_a_distractor(self) -> None:
        """Each left side has its own format; '= -> Embedding' only adds a choice."""
        question = one(
            "::Layers::[html]Match the <b>layer</b> to what it does.{\n"
            "    =[html]Mixes every position with every other position. -> Attention\n"
            "    =[moodle]Slides a small kernel over an image and sums the products. -> Convolution\n"
            "    =[plain]Keeps the largest value in each window. -> Max pooling\n"
            "    =[markdown]Zeroes a random share of the units while training. -> Dropout\n"
            "    = -> Embedding\n"
            "}"
        )
        assert question.text == "Match the <b>layer</b> to what it does."
        assert [(a.text, a.match) for a in question.answers] == [
            ("Mixes every position with every other position.", "Attention"),
            ("Slides a small kernel over an image and sums the products.", "Convolution"),
            ("Keeps the largest value in each window.", "Max pooling"),
            ("Zeroes a random share of the units while training.", "Dropout"),
            ("", "Embedding"),
        ]

    def test_it_reads_arrows_in_a_choice_question_as_text(self) -> None:
        question = one("Which holds? {=A -> B ~B -> A}")
        assert question.kind == "single"
        assert texts(question) == ["A -> B", "B -> A"]

    @pytest.mark.parametrize(
        ("block", "reason"),
        [
            ("{\n=CNN -> images\n=RNN\n}", "'RNN' is not a 'left -> right' pair"),
            ("{\n=CNN -> images\n=%50%RNN -> sequences\n}", "cannot carry a %weight%"),
            ("{\n=CNN -> images\n=RNN -> sequences#Yes\n}", "cannot have #feedback"),
            ("{\n=CNN -> images\n=RNN ->\n}", "nothing after '->'"),
        ],
    )
    def test_it_rejects_malformed_pairs(self, block: str, reason: str) -> None:
        problem = error(f"Match the models. {block}")
        assert problem.line == 3
        assert reason in problem.reason

    @pytest.mark.parametrize("block", ["{=CNN -> images}", "{=CNN -> images = -> sequences}"])
    def test_it_rejects_fewer_than_two_pairs(self, block: str) -> None:
        assert "at least two 'left -> right' pairs" in error(f"Match. {block}").reason


class EssayAndDescriptionTests:
    def test_it_reads_an_empty_block_as_an_essay(self) -> None:
        assert one("::Overfitting:: Why does a model overfit? {}") == GiftQuestion(
            "essay", "Why does a model overfit?", name="Overfitting"
        )

    def test_it_reads_an_essay_with_general_feedback(self) -> None:
        question = one("Why does a model overfit? {\n####It learns the training set's noise.\n}")
        assert question == GiftQuestion(
            "essay", "Why does a model overfit?", general_feedback="It learns the training set's noise."
        )

    def test_it_reads_text_without_a_block_as_a_description(self) -> None:
        question = one("::Intro::The next questions are about\nAdam's update rule.")
        assert question == GiftQuestion(
            "description", "The next questions are about<br>\nAdam's update rule.", name="Intro"
        )

    def test_it_rejects_a_title_without_text(self) -> None:
        assert "no text and no answer block" in error("::Lonely::").reason


class MissingWordTests:
    def test_it_marks_where_the_block_stood(self) -> None:
        question = one("Gradient descent moves the weights {~along =against ~across} the gradient.")
        assert question.text == f"Gradient descent moves the weights {BLANK} the gradient."
        assert question.kind == "single"

    def test_it_treats_a_block_before_the_closing_punctuation_as_a_missing_word(self) -> None:
        question = one("One epoch over 40 examples in batches of 10 takes {=four =4}.")
        assert (question.kind, question.text) == (
            "short",
            f"One epoch over 40 examples in batches of 10 takes {BLANK}.",
        )

    def test_it_reads_a_block_at_the_start(self) -> None:
        assert one("{=Adam} is the usual first optimiser.").text == f"{BLANK} is the usual first optimiser."

    def test_it_leaves_no_blank_when_the_block_ends_the_question(self) -> None:
        assert one("Dropout is a regulariser. {T}   ").text == "Dropout is a regulariser."

    def test_it_reads_a_missing_word_spread_over_lines(self) -> None:
        question = one(
            "Backpropagation was popularised in a paper published in the {\n"
            "    ~1950s\n    ~1970s\n    =1980s\n} by Rumelhart, Hinton and Williams."
        )
        assert (
            question.text
            == f"Backpropagation was popularised in a paper published in the {BLANK} by Rumelhart, Hinton and Williams."
        )


class TextTests:
    def test_it_joins_a_question_spread_over_lines(self) -> None:
        question = one(
            "::Attention Origins::The attention mechanism was first applied\nto which task? {=machine translation}"
        )
        assert question.name == "Attention Origins"
        assert shown(question.text) == "The attention mechanism was first applied\nto which task?"

    def test_it_unescapes_gift_control_characters(self) -> None:
        question = one(
            "Which learning rate is 0.01? {\n     ~ \\= 1 / 1000\n     = \\= 1 / 100\n     ~ \\= 1 / 10  }"
        )
        assert [shown(text) for text in texts(question)] == ["= 1 / 1000", "= 1 / 100", "= 1 / 10"]
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
        question = one("Which one escapes the others? {~ \\~ = \\\\ # Yes: \\\\ escapes.}")
        assert question.answers[1] == GiftAnswer("&#92;", feedback="Yes: &#92; escapes.")

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
        question = one("::Q::[markdown]What's the **model's** <i>loss</i>?{=cross-entropy}")
        assert question.text == "What's the **model's** <i>loss</i>?"

    @pytest.mark.parametrize("marker", ["[moodle]", "[html]", ""])
    def test_it_keeps_html_but_no_markdown_in_moodle_and_html_text(self, marker: str) -> None:
        question = one(f"::Q::{marker}What's the **model's** <i>loss</i>?{{=cross-entropy}}")
        assert question.text == "What's the &#42;&#42;model's&#42;&#42; <i>loss</i>?"

    def test_it_reads_default_text_as_moodle_auto_format_not_markdown(self) -> None:
        """The cases the outside test found: nothing here is a heading, an emphasis or an escape."""
        question = one("# of classes in MNIST?{#10}")
        assert question.text == "&#35; of classes in MNIST?"
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
            shown(one("[PyTorch](https://pytorch.org) is free. {T}").text)
            == "[PyTorch](https://pytorch.org) is free."
        )
        assert one("[markdown][PyTorch](https://pytorch.org) is free. {T}").text.startswith("[PyTorch](")

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
            "First? {T}\n\n$CATEGORY: $course$/top/Optimisers\n\nSecond? {T}\n\nThird? {F}\n\n"
            "$CATEGORY: labs/week 2\nFourth, right after the category line? {T}"
        )
        assert [q.category for q in questions] == [
            "",
            "$course$/top/Optimisers",
            "$course$/top/Optimisers",
            "labs/week 2",
        ]

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
        problem = error("Adam is {=an optimiser ~a layer}\nfor {=training ~testing} models.")
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


class ErrorLanguageTests:
    """The reader speaks English on its own (a command, a test); the admin says its reasons in its language."""

    def test_it_speaks_english_whatever_language_is_active(self) -> None:
        with translation.override("zh-hans"):
            problem = error("Fine? {T}\n\n::n:: x = ? {#1,5}")
        assert str(problem) == "line 3: '1,5' is not a number (use '.' as the decimal separator)"

    def test_its_reason_reads_in_chinese_with_its_arguments(self) -> None:
        problem = error("Pick two. {~%50%a ~%40%b ~c}")
        with translation.override("zh-hans"):
            assert "90%" in problem.why.said(gettext) and "100%" in problem.why.said(gettext)
            assert problem.why.said(gettext) != problem.reason

    def test_every_reason_has_a_chinese_translation(self) -> None:
        reasons = [
            node.args[0].value
            for path in [*Path(gift.__file__).parent.glob("*.py"), Path(moodle_xml.__file__)]
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "gettext_noop"
        ]
        with translation.override("zh-hans"):
            untranslated = [reason for reason in reasons if gettext(reason) == reason]
        assert len(reasons) > 50 and untranslated == []


class GiftExamplesTests:
    def test_it_reads_every_question_in_the_examples(self) -> None:
        questions = parse(GIFT_EXAMPLES)
        assert [q.kind for q in questions] == [
            *("single", "single", "truefalse", "short", "numeric"),
            *("single", "single", "short", "truefalse", "matching"),
            *("numeric", "numeric", "numeric", "numeric", "numeric"),
            *("short", "single", "short", "truefalse", "single", "single"),
            *("multiple", "single", "single", "matching", "numeric"),
        ]

    def test_it_reads_the_control_characters_example(self) -> None:
        question = next(q for q in parse(GIFT_EXAMPLES) if q.name == "Escaped Characters")
        assert [shown(text) for text in texts(question)] == ["~", "=", "#", "{", "}", ":", "\\"]
        assert weights(question) == [0, 0, 0, 0, 0, 0, 100]
        assert shown(question.answers[6].feedback) == (
            "Yes: \\ (backslash) is the escape character itself. Write it\n"
            "before a control character to make that character literal."
        )

    def test_it_reads_the_weighted_missing_word_example(self) -> None:
        question = next(q for q in parse(GIFT_EXAMPLES) if q.name == "Adam's ancestry")
        assert question.text == f"Adam combines RMSProp with {BLANK}."
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
        assert "{\n\t=CNN -> images\n\t=RNN -> sequences\n\t= -> graphs\n}" in gift
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
        question = GiftQuestion(
            "short", f"{BLANK} is the usual first optimiser.", answers=[GiftAnswer("Adam")]
        )
        assert dump([question]) == "[markdown]{\n\t=Adam\n} is the usual first optimiser.\n"

    def test_it_guards_texts_that_look_like_weights_or_format_markers(self) -> None:
        question = GiftQuestion(
            "single", "[note] Pick.", answers=[GiftAnswer("%50% off"), GiftAnswer("[x] box", weight=0)]
        )
        assert dump([question]) == "[markdown][note] Pick. {\n\t=%50% off\n\t~[markdown][x] box\n}\n"
        assert parse(dump([question])) == [question]

    def test_it_normalises_whitespace_and_number_types(self) -> None:
        question = GiftQuestion(
            "numeric", "  Pi?\r\n", answers=[GiftAnswer(value=3, tolerance=1, weight=100)]
        )
        assert parse(dump([question])) == [
            GiftQuestion("numeric", "Pi?", answers=[GiftAnswer(value=3.0, tolerance=1.0)])
        ]

    def test_it_writes_a_literal_blank_at_the_end_before_the_block(self) -> None:
        question = GiftQuestion("short", f"Fill in: {BLANK}", answers=[GiftAnswer("Adam")])
        assert dump([question]) == f"[markdown]Fill in: {BLANK} {{\n\t=Adam\n}}\n"
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
    "Adam",
    "loss",
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

    def test_it_round_trips_the_examples(self) -> None:
        questions = parse(GIFT_EXAMPLES)
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
