from rest_framework import serializers

from .content import Exercise
from .models import Attempt


class CodeSerializer(serializers.Serializer):
    source = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=200_000)


class TestedPropertySerializer(serializers.Serializer):
    property = serializers.CharField(help_text="The key of a property the hidden tests check.")
    words = serializers.CharField(help_text="What it means, in the request's language.")


class ExerciseStandingSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    attempts = serializers.IntegerField()
    solution_available = serializers.BooleanField()
    draft = serializers.CharField(allow_null=True, help_text="The learner's last draft, or null.")


class ExerciseSerializer(serializers.Serializer):
    """What a learner needs to write the code: never the hidden tests' inputs or expected values, nor the
    solution before it is earned (see `solution`)."""

    slug = serializers.SlugField()
    title = serializers.CharField()
    lesson = serializers.SlugField()
    lab = serializers.CharField(help_text="The lab a passing function can train with.")
    concepts = serializers.ListField(child=serializers.SlugField())
    functions = serializers.ListField(child=serializers.CharField(), help_text="What the code must define.")
    statement = serializers.CharField(help_text="HTML.")
    hints = serializers.ListField(child=serializers.CharField())
    properties = TestedPropertySerializer(many=True, help_text="What the hidden tests check, in words.")
    starter = serializers.CharField()
    url = serializers.CharField()
    mine = ExerciseStandingSerializer(allow_null=True, help_text="Null for a visitor who is not signed in.")

    @staticmethod
    def build(exercise: Exercise, mine: dict | None) -> dict:
        from django.urls import reverse

        words = exercise.in_language()
        keys = list(words.properties)  # the front matter's, in its order: the checks run on the worker only
        return {
            "slug": exercise.slug,
            "title": words.title,
            "lesson": exercise.lesson,
            "lab": exercise.lab,
            "concepts": list(exercise.concepts),
            "functions": exercise.functions,
            "statement": words.statement_html,
            "hints": list(words.hints),
            "properties": [{"property": k, "words": words.properties.get(k, k)} for k in keys],
            "starter": exercise.starter,
            "url": reverse("exercise", args=[exercise.slug]),
            "mine": mine,
        }


class ExerciseAttemptSerializer(serializers.ModelSerializer):
    passed = serializers.SerializerMethodField()
    done = serializers.BooleanField(read_only=True)
    failed = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()

    class Meta:
        model = Attempt
        fields = [
            "id",
            "exercise",
            "status",
            "done",
            "passed",
            "failed",
            "error",
            "printed",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_passed(self, attempt: Attempt) -> bool:
        return attempt.status == Attempt.Status.PASSED

    def get_error(self, attempt: Attempt) -> str:
        """The learner's exception as their code raised it, or why the sandbox stopped it, in the reader's words."""
        from .grading import stopped
        from .services import NO_SANDBOX

        if attempt.sandbox_status == "missing":
            return str(NO_SANDBOX)
        if attempt.sandbox_status not in ("", "ok"):
            return stopped(attempt.sandbox_status)
        return attempt.error

    def get_failed(self, attempt: Attempt) -> list[dict[str, str]]:
        from .content import exercises

        exercise = exercises().get(attempt.exercise)
        return [
            {"property": key, "words": exercise.property_words(key) if exercise else key}
            for key in attempt.failed
        ]


class ExerciseSolutionSerializer(serializers.Serializer):
    source = serializers.CharField()


class TrainWithCodeSerializer(serializers.Serializer):
    params = serializers.DictField(
        required=False, default=dict, help_text="The lab's settings; defaults otherwise."
    )
