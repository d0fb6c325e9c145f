from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from . import selectors, services
from .mastery import mastery as mastery_of
from .models import Concept, FaqEntry
from .serializers import (
    ConceptDetailSerializer,
    ConceptSerializer,
    CourseDetailSerializer,
    CourseSerializer,
    FaqEntrySerializer,
    LessonSerializer,
    SearchHitSerializer,
)

LANGUAGE = OpenApiParameter("Accept-Language", str, OpenApiParameter.HEADER, description="zh-hans or en")


@extend_schema(responses=CourseSerializer(many=True), parameters=[LANGUAGE], tags=["lessons"])
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def courses(request: Request) -> Response:
    return Response(CourseSerializer(selectors.visible_courses(request.user), many=True).data)


@extend_schema(responses=CourseDetailSerializer, parameters=[LANGUAGE], tags=["lessons"])
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def course(request: Request, slug: str) -> Response:
    found = get_object_or_404(selectors.visible_courses(request.user), slug=slug)
    lessons = (
        selectors.visible_lessons(request.user)
        .filter(course=found)
        .only(*selectors.LIST_FIELDS, "course__slug")
    )
    return Response(CourseDetailSerializer(found, context={"lessons": lessons.select_related("course")}).data)


@extend_schema(responses=LessonSerializer, parameters=[LANGUAGE], tags=["lessons"])
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def lesson(request: Request, course_slug: str, lesson_slug: str) -> Response:
    """A lesson, as Markdown source and as the rendered HTML the site shows."""
    found = get_object_or_404(
        selectors.visible_lessons(request.user).select_related("course", "quiz"),
        course__slug=course_slug,
        slug=lesson_slug,
    )
    return Response(LessonSerializer(found).data)


@extend_schema(responses=ConceptSerializer(many=True), parameters=[LANGUAGE], tags=["lessons"])
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def concepts(request: Request) -> Response:
    return Response(ConceptSerializer(Concept.objects.all(), many=True).data)


@extend_schema(responses=ConceptDetailSerializer, parameters=[LANGUAGE], tags=["lessons"])
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def concept(request: Request, slug: str) -> Response:
    return Response(ConceptDetailSerializer(get_object_or_404(Concept, slug=slug)).data)


@extend_schema(responses=FaqEntrySerializer(many=True), parameters=[LANGUAGE], tags=["lessons"])
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def faq(request: Request) -> Response:
    return Response(FaqEntrySerializer(FaqEntry.objects.current(), many=True).data)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "q",
            {"type": "string", "minLength": 2, "maxLength": 200, "pattern": r"\S.*\S"},
            required=True,
            description="At least 2 characters; Chinese works.",
        )
    ],
    responses=SearchHitSerializer(many=True),
    tags=["lessons"],
)
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def search(request: Request) -> Response:
    """Lessons, concepts and FAQ entries that contain every word of the query, best first."""
    hits = selectors.search(request.GET.get("q", ""), request.user)
    return Response(SearchHitSerializer(hits, many=True).data)


@extend_schema(
    responses={200: dict},
    tags=["lessons"],
    description="For the signed-in learner, per concept slug: `state` (mastered, started or new) and how many "
    "of the quiz questions (and experiments) tied to the concept their latest answers got `right` of `total`.",
)
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def mastery(request: Request) -> Response:
    return Response(mastery_of(request.user))


class ReadingSerializer(serializers.Serializer):
    section = serializers.CharField(
        max_length=200,
        allow_blank=True,
        help_text="The id of the heading the learner has reached; empty: the start.",
    )


@extend_schema(request=ReadingSerializer, responses={204: None}, tags=["lessons"])
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
def reading(request: Request, course_slug: str, lesson_slug: str) -> Response:
    """Where the learner is in this lesson (the lesson page tells it as they read), for "Continue"."""
    found = get_object_or_404(
        selectors.visible_lessons(request.user), course__slug=course_slug, slug=lesson_slug
    )
    body = ReadingSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    services.reading_record(user=request.user, lesson=found, section=body.validated_data["section"])
    return Response(status=status.HTTP_204_NO_CONTENT)
