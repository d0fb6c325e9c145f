from django import template

from ..models import Quiz, UnitDisplay
from ..selectors import page_order, public_questions

register = template.Library()


@register.inclusion_tag("quizzes/_quiz.html")
def quiz_form(quiz: Quiz, standalone: bool = False) -> dict:
    """A quiz's questions, in the page's HTML: they read without a script and take their room at once (nothing
    moves when the script arrives). Never an answer, a weight or a feedback: those come after submitting. The
    same for every reader; the reader's attempts come from the API (static/quizzes/quiz.js)."""
    return {
        "quiz": quiz,
        "questions": public_questions(quiz, page_order(quiz)),
        "standalone": standalone,
        "chosen_units": (UnitDisplay.RADIO, UnitDisplay.MENU),  # a unit picked, not typed
    }
