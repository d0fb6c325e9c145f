from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Concept, ConceptRelation, Course, FaqEntry, Lesson, missing_translation


def slugs() -> serializers.ListField:
    """A JSON column that holds a list of slugs or names, typed as such in the schema."""
    return serializers.ListField(child=serializers.CharField(), read_only=True)


class LessonSummarySerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Lesson
        fields = ["slug", "order", "title", "summary", "reading_minutes", "status", "url"]


class CourseSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Course
        fields = ["slug", "title", "summary", "url"]


class CourseDetailSerializer(CourseSerializer):
    lessons = serializers.SerializerMethodField()
    intro_html = serializers.CharField(read_only=True)

    class Meta(CourseSerializer.Meta):
        fields = [*CourseSerializer.Meta.fields, "intro_html", "lessons"]

    @extend_schema_field(LessonSummarySerializer(many=True))
    def get_lessons(self, course: Course) -> list[dict]:
        return LessonSummarySerializer(self.context["lessons"], many=True).data


class LessonSerializer(serializers.ModelSerializer):
    course = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    language = serializers.SerializerMethodField()
    fallback = serializers.SerializerMethodField(help_text="True when the text is shown in another language.")
    quiz = serializers.SerializerMethodField()
    prerequisites = slugs()
    tags = slugs()
    labs = slugs()

    class Meta:
        model = Lesson
        fields = [
            "course",
            "slug",
            "order",
            "status",
            "title",
            "summary",
            "reading_minutes",
            "prerequisites",
            "tags",
            "labs",
            "quiz",
            "url",
            "language",
            "fallback",
            "body_md",
            "body_html",
            "toc_html",
        ]

    def get_language(self, lesson: Lesson) -> str:
        return get_language()

    def get_fallback(self, lesson: Lesson) -> bool:
        return missing_translation(lesson, "body_md")

    def get_quiz(self, lesson: Lesson) -> str | None:
        quiz = getattr(lesson, "quiz", None)
        return quiz.slug if quiz else None


class RelationSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    target = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = ConceptRelation
        fields = ["source", "kind", "target"]


class ConceptSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    labs = slugs()

    class Meta:
        model = Concept
        fields = ["slug", "term", "aliases", "definition", "labs", "url"]


class ConceptDetailSerializer(ConceptSerializer):
    relations = serializers.SerializerMethodField()

    class Meta(ConceptSerializer.Meta):
        fields = [*ConceptSerializer.Meta.fields, "body_md", "body_html", "relations"]

    @extend_schema_field(RelationSerializer(many=True))
    def get_relations(self, concept: Concept) -> list[dict]:
        relations = ConceptRelation.objects.filter(source=concept) | ConceptRelation.objects.filter(
            target=concept
        )
        return RelationSerializer(relations.select_related("source", "target"), many=True).data


class FaqEntrySerializer(serializers.ModelSerializer):
    labs = slugs()

    class Meta:
        model = FaqEntry
        fields = ["slug", "order", "question", "answer_md", "answer_html", "labs"]


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["lesson", "concept", "faq"])
    title = serializers.CharField()
    url = serializers.CharField()
    snippet = serializers.CharField(help_text="HTML: the matching passage, matches in <mark>.")
    language = serializers.CharField(
        help_text="Empty when found in the request's language; else the language whose words matched, in "
        "which the title, the snippet and the page at `url` are."
    )
