from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Experiment, Prediction, Submission


class RunSerializer(serializers.Serializer):
    settings = serializers.DictField(help_text="The values the run must have (they fill the lab's form).")
    limits = serializers.DictField(required=False, help_text="A challenge's bounds: {name: {min, max}}.")


# A prediction or an answer: the index of a choice, or a number.
ANSWER = {"type": "number", "nullable": True}


@extend_schema_field(ANSWER)
class AnswerField(serializers.JSONField):
    pass


class LessonLinkSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    url = serializers.CharField()


class PredictionAskSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Experiment.Prediction.choices)
    question = serializers.CharField()
    choices = serializers.ListField(
        child=serializers.CharField(), help_text="Empty unless `kind` is a choice."
    )


class CheckAskSerializer(serializers.Serializer):
    kind = serializers.CharField()
    question = serializers.CharField()
    answer = serializers.CharField(allow_null=True, help_text='"number" when the check wants a number typed.')


class LatestPredictionSerializer(serializers.Serializer):
    value = AnswerField()
    created_at = serializers.DateTimeField()


class MineSerializer(serializers.Serializer):
    prediction = LatestPredictionSerializer(allow_null=True)
    passed = serializers.BooleanField()


class ExperimentSerializer(serializers.ModelSerializer):
    """What a learner needs before running: never the check's expected values or its explanation."""

    lesson = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    runs = RunSerializer(many=True)
    prediction = serializers.SerializerMethodField()
    instructions = serializers.CharField(source="instructions_html")
    check = serializers.SerializerMethodField()
    mine = serializers.SerializerMethodField()

    class Meta:
        model = Experiment
        fields = [
            "slug",
            "title",
            "lesson",
            "lab",
            "url",
            "runs",
            "prediction",
            "instructions",
            "check",
            "mine",
        ]
        read_only_fields = fields

    @extend_schema_field(LessonLinkSerializer)
    def get_lesson(self, experiment: Experiment) -> dict:
        lesson = experiment.lesson
        return {"slug": lesson.slug, "title": lesson.title, "url": lesson.get_absolute_url()}

    @extend_schema_field(PredictionAskSerializer)
    def get_prediction(self, experiment: Experiment) -> dict:
        return {
            "kind": experiment.prediction_kind,
            "question": experiment.predict,
            "choices": experiment.choice_list,
        }

    @extend_schema_field(CheckAskSerializer)
    def get_check(self, experiment: Experiment) -> dict:
        """The kind of check and its question, nothing it compares against."""
        return {
            "kind": experiment.grading["kind"],
            "question": experiment.ask,
            "answer": "number" if experiment.answers_number else None,
        }

    @extend_schema_field(MineSerializer(allow_null=True))
    def get_mine(self, experiment: Experiment) -> dict | None:
        """The signed-in learner's latest prediction and whether they have passed."""
        user = self.context.get("user")
        if user is None or not user.is_authenticated:
            return None
        latest = Prediction.objects.filter(owner=user, experiment=experiment).first()
        return {
            "prediction": None
            if latest is None
            else {"value": latest.value, "created_at": latest.created_at},
            "passed": experiment.submissions.filter(owner=user, passed=True).exists(),
        }


class PredictionSerializer(serializers.Serializer):
    prediction = AnswerField(allow_null=True, help_text="The index of a choice, or a number.")


class SubmissionSerializer(serializers.Serializer):
    jobs = serializers.JSONField(
        help_text="Ids of your finished runs, in the order of the experiment's runs."
    )
    answer = serializers.JSONField(required=False, allow_null=True, help_text="A number, unless a challenge.")


class ResultSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    feedback = serializers.CharField()
    values = serializers.DictField(
        help_text="The value read off each run, the expected answer and the margin."
    )
    explanation = serializers.CharField(help_text="HTML, shown after the check.")


class PastSubmissionSerializer(serializers.ModelSerializer):
    """One of the learner's submissions, as graded then."""

    jobs = serializers.ListField(child=serializers.IntegerField(), help_text="The runs submitted, in order.")
    answer = AnswerField(allow_null=True, help_text="The index of a choice, or a number.")
    values = serializers.DictField(
        help_text="The value read off each run, the expected answer and the margin."
    )

    class Meta:
        model = Submission
        fields = ["id", "jobs", "answer", "values", "passed", "created_at"]
