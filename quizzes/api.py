from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from core import paging
from core.fields import JsonIntegerField, JsonNumberField
from lessons.selectors import text_fields

from . import selectors, services
from .models import Attempt, Quiz
from .serializers import AnswersField, AttemptResultSerializer, PublicQuizSerializer


class AttemptBody(serializers.Serializer):
    """An attempt: the answers by question id (each answer's shape is checked against its question)."""

    answers = AnswersField(
        help_text="Question id -> answer: an option id, a list of option ids, "
        "a text, a number, or {item id: match text}."
    )


class RateBody(serializers.Serializer):
    """A self-rating of one essay answer (the service accepts 0, 0.5 or 1)."""

    question = JsonIntegerField(min_value=1, max_value=2**31 - 1)
    fraction = JsonNumberField(min_value=0, max_value=1, help_text="0, 0.5 or 1.")


QuizSummaries = inline_serializer("QuizSummary", many=True, fields={
    "slug": serializers.SlugField(), "title": serializers.CharField(),
    "lesson": serializers.CharField(allow_null=True), "questions": serializers.IntegerField(),
})  # fmt: skip
AttemptSummaries = inline_serializer("AttemptSummary", many=True, fields={
    "id": serializers.IntegerField(), "quiz": serializers.SlugField(), "number": serializers.IntegerField(),
    "score": serializers.FloatField(), "max_score": serializers.FloatField(), "percent": serializers.IntegerField(),
    "created_at": serializers.DateTimeField(),
})  # fmt: skip


@extend_schema(responses=QuizSummaries, tags=["quizzes"], operation_id="quizzes_list")
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def quizzes(request: Request) -> Response:
    """Every quiz, with the lesson it belongs to."""
    return Response(
        [
            {
                "slug": q.slug,
                "title": q.title,
                "lesson": q.lesson.get_absolute_url() if q.lesson_id else None,
                "questions": q.questions.current().count(),
            }
            for q in Quiz.objects.visible_to(request.user)
            .select_related("lesson__course")
            .defer(*text_fields("lesson__"))
        ]
    )


@extend_schema(responses=PublicQuizSerializer, tags=["quizzes"])
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def quiz(request: Request, slug: str) -> Response:
    """A quiz to take: questions and options, never the answers, weights or feedback."""
    found = get_object_or_404(Quiz.objects.visible_to(request.user), slug=slug)
    return Response(selectors.public_quiz(found, request.user))


@extend_schema(
    request=AttemptBody,
    responses={
        201: AttemptResultSerializer,
        400: OpenApiResponse(description="Malformed"),
        403: OpenApiResponse(description="No attempts left"),
    },
    tags=["quizzes"],
)
@api_view(["POST"])
@permission_classes([permissions.AllowAny])
def submit(request: Request, slug: str) -> Response:
    """Grades an attempt on the server and returns what the quiz's policy lets this reader see. A signed-in
    learner's attempt is kept; an anonymous reader's is not (and a quiz that counts attempts needs an account)."""
    found = get_object_or_404(Quiz.objects.visible_to(request.user), slug=slug)
    body = AttemptBody(data=request.data)
    body.is_valid(raise_exception=True)
    attempt, responses = services.attempt_submit(
        quiz=found, user=request.user, answers=body.validated_data["answers"]
    )
    body = selectors.attempt_result(attempt, request.user, responses)
    body["attempts_left"] = services.attempts_left(found, request.user)
    return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(
    responses=AttemptSummaries,
    parameters=[OpenApiParameter("quiz", str, description="Only attempts at this quiz."), paging.BEFORE],
    tags=["quizzes"],
    operation_id="attempts_list",
)
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def attempts(request: Request) -> Response:
    """My attempts, newest first, 200 a page; the `Link` header names the next page."""
    mine = Attempt.objects.filter(user=request.user, quiz__in=Quiz.objects.visible_to(request.user))
    mine = mine.select_related("quiz")
    if request.GET.get("quiz"):
        mine = mine.filter(quiz__slug=request.GET["quiz"])
    rows, next_url = paging.page(request, mine, 200)
    response = Response(
        [
            {
                "id": a.pk,
                "quiz": a.quiz.slug,
                "number": a.number,
                "score": a.score,
                "max_score": a.max_score,
                "percent": a.percent,
                "created_at": a.created_at,
            }
            for a in rows
        ]
    )
    return paging.with_next(response, next_url)


def _own_attempt(request: Request, attempt_id: int) -> Attempt:
    owned = Attempt.objects.filter(quiz__in=Quiz.objects.visible_to(request.user)).select_related("quiz")
    if not request.user.is_staff:
        owned = owned.filter(user=request.user)
    return get_object_or_404(owned, pk=attempt_id)


@extend_schema(responses=AttemptResultSerializer, tags=["quizzes"])
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def attempt(request: Request, attempt_id: int) -> Response:
    """One of my attempts, graded, with its feedback."""
    return Response(selectors.attempt_result(_own_attempt(request, attempt_id), request.user))


@extend_schema(request=RateBody, responses=AttemptResultSerializer, tags=["quizzes"])
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
def rate(request: Request, attempt_id: int) -> Response:
    """Self-rating of an essay answer after comparing it with the model answer: 0, 0.5 or 1."""
    found = _own_attempt(request, attempt_id)
    body = RateBody(data=request.data)
    body.is_valid(raise_exception=True)
    services.essay_rate(attempt=found, **body.validated_data)
    return Response(selectors.attempt_result(found, request.user))
