"""The shapes of the quiz API's answers, for the OpenAPI schema: the views return the selectors' dicts, and
these serializers say what is in them, so generated clients get typed models instead of untyped objects."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Kind, UnitDisplay

# One question's answer, by its kind: an option id (single choice, true/false), option ids (multiple choice),
# a text (short answer, essay), a number (numerical), or {item id: match text} (matching).
ANSWER = {
    "anyOf": [  # not oneOf: an integer is also a number
        {"type": "integer", "description": "An option id."},
        {"type": "array", "items": {"type": "integer"}, "description": "Option ids."},
        {"type": "string", "description": "A text, or a number written out."},
        {"type": "number", "description": "A number."},
        {"type": "object", "additionalProperties": {"type": "string"}, "description": "Item id: match text."},
        {
            "type": "object",
            "additionalProperties": {
                "anyOf": [
                    {"type": "string"},
                    {"type": "integer"},
                    {"type": "array", "items": {"type": "integer"}},
                ]
            },
            "description": "Cloze: gap number: a text, an option id, or option ids.",
        },
    ]
}


@extend_schema_field({**ANSWER, "nullable": True})
class GivenField(serializers.JSONField):
    pass


@extend_schema_field({"type": "object", "additionalProperties": ANSWER})
class AnswersField(serializers.DictField):
    """Question id -> answer; each answer's shape is checked against its question by the service."""


class OptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text_html = serializers.CharField()


class GapSerializer(serializers.Serializer):
    """One gap of a Cloze question: answered by its number, with a text (short, numeric), an option's id
    (single) or a list of ids (multiple)."""

    part = serializers.IntegerField(help_text="The gap's number: ⟦n⟧ in the text marks where it stands.")
    kind = serializers.ChoiceField(choices=["short", "numeric", "single", "multiple"])
    display = serializers.CharField(help_text="Choices: menu, vertical or horizontal (Moodle's layouts).")
    options = OptionSerializer(many=True, required=False)


class PublicQuestionSerializer(serializers.Serializer):
    """A question to answer; `options` for choices and true/false, `items` and `matches` for matching."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    text_html = serializers.CharField()
    hint_html = serializers.CharField()
    points = serializers.FloatField()
    options = OptionSerializer(many=True, required=False)
    items = OptionSerializer(many=True, required=False)
    matches = serializers.ListField(child=serializers.CharField(), required=False)
    units = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Numeric: the units a response may carry (typed after the number, or before it).",
    )
    unit_display = serializers.ChoiceField(
        choices=UnitDisplay.choices,
        required=False,
        help_text="Numeric: how the unit is asked (Moodle's showunits).",
    )
    units_left = serializers.BooleanField(
        required=False, help_text="Numeric: the unit goes before the number."
    )
    gaps = GapSerializer(many=True, required=False, help_text="Cloze: the gaps, by number.")


class PublicQuizSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    lesson = serializers.CharField(allow_null=True, help_text="The lesson page's address, if any.")
    max_attempts = serializers.IntegerField(help_text="0 for no limit.")
    attempts_left = serializers.IntegerField(allow_null=True, help_text="None when there is no limit.")
    questions = PublicQuestionSerializer(many=True)


class CorrectAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text_html = serializers.CharField()
    weight = serializers.FloatField(required=False)
    match = serializers.CharField(required=False, help_text="Matching: the item's right match.")


class GradedQuestionSerializer(serializers.Serializer):
    """One question of a graded attempt; answers and feedback only where the quiz's policy shows them."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    fraction = serializers.FloatField(allow_null=True, help_text="0..1 of the points; None until rated.")
    correct = serializers.BooleanField()
    given = GivenField(allow_null=True, help_text="The answer as submitted.")
    feedback_html = serializers.ListField(child=serializers.CharField(), required=False)
    combined_feedback_html = serializers.CharField(
        required=False, help_text="The feedback for a right, partly right or wrong response (Moodle's)."
    )
    explanation_html = serializers.CharField(required=False)
    correct_answers = CorrectAnswerSerializer(many=True, required=False)
    option_feedback = serializers.DictField(child=serializers.CharField(), required=False)


class AttemptResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    quiz = serializers.SlugField()
    number = serializers.IntegerField()
    score = serializers.FloatField()
    max_score = serializers.FloatField()
    percent = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    questions = GradedQuestionSerializer(many=True)
    attempts_left = serializers.IntegerField(
        allow_null=True, required=False, help_text="Only right after submitting: None when there is no limit."
    )
