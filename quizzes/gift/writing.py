"""Writing canonical GIFT (the format is described in `quizzes.gift`); every question is read back before
it is accepted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields, replace

from .questions import BLANK, KINDS, GiftAnswer, GiftError, GiftQuestion, Reason, gettext_noop
from .reading import CATEGORY, parse, snippet
from .text import FORMAT_RE, WS, format_number

# What dump() must escape in each place. The question text sits outside the answer block, where only
# braces matter; inside the block "~ = #" separate answers and feedback.
_TEXT_SPECIALS = "{}"
_NAME_SPECIALS = ":{}"
_ANSWER_SPECIALS = "~=#{}"
_ESCAPABLE_NEXT = set("\\~=#{}:n\n")


# ---------------------------------------------------------------------------------------------------------
# Writing


def dump(questions: Iterable[GiftQuestion]) -> str:
    """Write questions as canonical GIFT.

    Each question is read back before it is accepted, so a question GIFT cannot hold faithfully (a
    matching left side containing '->', a text with BLANK twice, a weight its kind does not allow, an
    answer field its kind does not use, ...) raises GiftError instead of producing a file that imports
    as something else. Surrounding whitespace, CR line ends and number types are normalised first.
    """
    parts = []
    category = ""
    for question in questions:
        question = _normalised(question)
        gift = _write_metadata(question) + _write_question(question)
        _check_reads_back(question, gift)
        if question.category != category:
            parts.append(f"{CATEGORY} {question.category}".rstrip())
            category = question.category
        parts.append(gift)
    return ("\n\n".join(parts) + "\n") if parts else ""


def _normalised(question: GiftQuestion) -> GiftQuestion:
    def clean(text: str) -> str:
        return text.replace("\r\n", "\n").replace("\r", "\n").strip(WS)

    category = clean(question.category)
    if "\n" in category:
        raise GiftError(question.line, gettext_noop("a category name cannot span several lines"))

    def number(value: float | None) -> float | None:
        return None if value is None else float(value)

    answers = [
        GiftAnswer(
            text=clean(answer.text),
            match=clean(answer.match),
            weight=float(answer.weight),
            feedback=clean(answer.feedback),
            value=number(answer.value),
            tolerance=float(answer.tolerance),
            low=number(answer.low),
            high=number(answer.high),
        )
        for answer in question.answers
    ]
    return replace(
        question,
        text=clean(question.text),
        name=clean(question.name),
        general_feedback=clean(question.general_feedback),
        category=category,
        idnumber=clean(question.idnumber),
        tags=[clean(tag) for tag in question.tags],
        answers=answers,
    )


def _write_metadata(question: GiftQuestion) -> str:
    """Moodle's own comment line for a question's ID number and tags ("]" written as "\\]")."""
    items = [f"[id:{question.idnumber}]"] if question.idnumber else []
    items += [f"[tag:{tag}]" for tag in question.tags]
    return ("// " + " ".join(item[:-1].replace("]", "\\]") + "]" for item in items) + "\n") if items else ""


def _write_question(question: GiftQuestion) -> str:
    if question.kind not in KINDS:
        raise GiftError(
            question.line,
            gettext_noop("unknown question kind %(kind)s; expected one of %(kinds)s"),
            kind=repr(question.kind),
            kinds=", ".join(KINDS),
        )
    head = (f"::{_escape(question.name, _NAME_SPECIALS)}::" if question.name else "") + "[markdown]"
    text = question.text
    if question.kind == "description":
        return head + _escape(text, _TEXT_SPECIALS)
    block = _write_block(question)
    if text.count(BLANK) == 1:
        before, after = text.split(BLANK)
        if after:  # a BLANK at the very end was written literally: the block then follows the text
            return head + _escape(before, _TEXT_SPECIALS) + block + _escape(after, _TEXT_SPECIALS)
    return head + _escape(text, _TEXT_SPECIALS) + (" " if text else "") + block


def _write_block(question: GiftQuestion) -> str:
    general_feedback = _piece(question.general_feedback)
    if question.kind == "truefalse":
        tail = f"####{general_feedback}" if general_feedback else ""
        return "{" + _write_truefalse(question) + tail + "}"
    tail = f"\t####{general_feedback}\n" if general_feedback else ""
    if question.kind == "single" and not any(answer.weight == 100 for answer in question.answers):
        raise GiftError(question.line, gettext_noop("a single-choice question needs one choice worth 100%"))
    if question.kind == "essay":
        return ("{\n" + tail + "}") if tail else "{}"
    writers = {
        "single": _single_lines,
        "multiple": _multiple_lines,
        "short": _short_lines,
        "numeric": _numeric_lines,
        "matching": _matching_lines,
    }
    lines = "".join(f"\t{line}\n" for line in writers[question.kind](question.answers))
    return "{" + ("#" if question.kind == "numeric" else "") + "\n" + lines + tail + "}"


def _write_truefalse(question: GiftQuestion) -> str:
    answers = question.answers
    if [a.text for a in answers] != ["true", "false"] or sorted(a.weight for a in answers) != [0, 100]:
        raise GiftError(
            question.line,
            gettext_noop(
                "a true/false question needs exactly the answers 'true' and 'false', "
                "one worth 100% and the other 0%"
            ),
        )
    true, false = answers
    word, right, wrong = ("TRUE", true, false) if true.weight == 100 else ("FALSE", false, true)
    out = word
    if wrong.feedback or right.feedback:
        out += "#" + _piece(wrong.feedback)
    if right.feedback:
        out += "#" + _piece(right.feedback)
    return out


def _single_lines(answers: list[GiftAnswer]) -> list[str]:
    # At least one '~' must remain, or the block would read back as a short-answer question.
    has_tilde = any(answer.weight != 100 for answer in answers)
    lines = []
    for i, answer in enumerate(answers):
        if answer.weight == 100 and (has_tilde or i < len(answers) - 1):
            lines.append(f"={_piece(answer.text)}{_feedback(answer)}")  # '=' in a choice reads no weight
        else:
            lines.append(_answer_line("~", 0, answer, _piece(answer.text)))
    return lines


def _multiple_lines(answers: list[GiftAnswer]) -> list[str]:
    return [_answer_line("~", 0, answer, _piece(answer.text)) for answer in answers]


def _short_lines(answers: list[GiftAnswer]) -> list[str]:
    lines = [_answer_line("=", 100, answer, _piece(answer.text)) for answer in answers]
    if len(lines) == 1 and "->" in lines[0]:
        # With an '=' the block would read as a matching pair; a lone answer needs no marker. Its
        # explicit weight keeps a text such as "//x" from starting the line as a comment.
        answer = answers[0]
        return [f"%{format_number(answer.weight)}%{_piece(answer.text)}{_feedback(answer)}"]
    return lines


def _numeric_lines(answers: list[GiftAnswer]) -> list[str]:
    lines = []
    for answer in answers:
        if answer.value is None and answer.low is None:  # any other value
            if answer.weight == 0:  # the label after '~' is never read as a weight
                lines.append(f"~{_escape(answer.text, _ANSWER_SPECIALS)}{_feedback(answer)}")
            else:
                lines.append(_answer_line("=", 100, answer, "*"))
        elif answer.low is not None and answer.high is not None:
            number = f"{format_number(answer.low)}..{format_number(answer.high)}"
            lines.append(_answer_line("=", 100, answer, number))
        else:
            number = format_number(answer.value) if answer.value is not None else ""
            if answer.tolerance:
                number += f":{format_number(answer.tolerance)}"
            lines.append(_answer_line("=", 100, answer, number))
    return lines


def _matching_lines(answers: list[GiftAnswer]) -> list[str]:
    lines = []
    for answer in answers:
        lines.append(f"={_piece(answer.text)} -> {_escape(answer.match, _ANSWER_SPECIALS)}")
    return lines


def _answer_line(marker: str, implied_weight: float, answer: GiftAnswer, text: str) -> str:
    # A text that itself starts with '%' gets an explicit weight, so it is not read as one.
    show_weight = answer.weight != implied_weight or text.startswith("%")
    weight = f"%{format_number(answer.weight)}%" if show_weight else ""
    return f"{marker}{weight}{text}{_feedback(answer)}"


def _feedback(answer: GiftAnswer) -> str:
    return f"#{_piece(answer.feedback)}" if answer.feedback else ""


def _piece(text: str) -> str:
    """A text inside the answer block; '[markdown]' guards a text that itself starts like a format marker."""
    guard = "[markdown]" if FORMAT_RE.match(text) else ""
    return guard + _escape(text, _ANSWER_SPECIALS)


def _escape(text: str, specials: str) -> str:
    out = []
    for i, char in enumerate(text):
        if char == "\\":
            # Double a backslash only where it would otherwise start an escape; LaTeX stays readable.
            following = text[i + 1] if i + 1 < len(text) else ""
            out.append("\\\\" if following == "" or following in _ESCAPABLE_NEXT else "\\")
        elif char == "\n":
            out.append("\\n")
        elif char in specials:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def _check_reads_back(question: GiftQuestion, gift: str) -> None:
    label = f"'{question.name}'" if question.name else f"'{snippet(question.text)}'"
    try:
        back = parse(gift)
    except GiftError as error:
        raise GiftError(
            question.line,
            gettext_noop("question %(label)s cannot be written as GIFT: %(reason)s"),
            label=label,
            reason=error.why,
        ) from None
    expected = replace(question, category="")
    if back != [expected]:
        difference = (
            _difference(expected, back[0])
            if len(back) == 1
            else Reason(gettext_noop("it reads back as several questions"))
        )
        raise GiftError(
            question.line,
            gettext_noop("question %(label)s cannot be written as GIFT without changing it: %(difference)s"),
            label=label,
            difference=difference,
        )


def _difference(expected: GiftQuestion, back: GiftQuestion) -> Reason:
    for name in ("kind", "text", "name", "general_feedback", "idnumber", "tags"):
        mine, theirs = getattr(expected, name), getattr(back, name)
        if mine != theirs:
            return Reason(
                gettext_noop("its %(field)s would read back as %(theirs)s instead of %(mine)s"),
                {"field": name, "theirs": repr(theirs), "mine": repr(mine)},
            )
    if len(expected.answers) != len(back.answers):
        return Reason(
            gettext_noop("it would read back with %(theirs)d answers instead of %(mine)d"),
            {"theirs": len(back.answers), "mine": len(expected.answers)},
        )
    for number, (mine, theirs) in enumerate(zip(expected.answers, back.answers, strict=True), start=1):
        for answer_field in fields(GiftAnswer):
            if getattr(mine, answer_field.name) != getattr(theirs, answer_field.name):
                return Reason(
                    gettext_noop(
                        "answer %(number)d's %(field)s would read back as %(theirs)s instead of %(mine)s"
                    ),
                    {
                        "number": number,
                        "field": answer_field.name,
                        "theirs": repr(getattr(theirs, answer_field.name)),
                        "mine": repr(getattr(mine, answer_field.name)),
                    },
                )
    return Reason(gettext_noop("it would read back differently"))
