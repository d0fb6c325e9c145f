from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import UserError

from . import selectors, services
from .models import Attempt, Quiz

AttemptBody = inline_serializer(
    "AttemptSubmission",
    {
        "answers": serializers.DictField(
            help_text="Question id -> answer: an option id, a list of option ids, "
            "a text, a number, or {item id: match text}."
        )
    },
)
RateBody = inline_serializer(
    "EssayRating",
    {"question": serializers.IntegerField(), "fraction": serializers.ChoiceField(choices=[0, 0.5, 1])},
)


def _error(error: UserError) -> Response:
    return Response(
        {error.field: [error.message]} if error.field else {"detail": error.message}, status=error.status_code
    )


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
                "questions": q.questions.count(),
            }
            for q in Quiz.objects.select_related("lesson__course")
        ]
    )


@extend_schema(responses=OpenApiTypes.OBJECT, tags=["quizzes"])
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def quiz(request: Request, slug: str) -> Response:
    """A quiz to take: questions and options, never the answers, weights or feedback."""
    return Response(selectors.public_quiz(get_object_or_404(Quiz, slug=slug), request.user))


@extend_schema(
    request=AttemptBody,
    responses={
        201: OpenApiTypes.OBJECT,
        400: OpenApiResponse(description="Malformed"),
        403: OpenApiResponse(description="No attempts left"),
    },
    tags=["quizzes"],
)
@api_view(["POST"])
@permission_classes([permissions.AllowAny])
def submit(request: Request, slug: str) -> Response:
    """Grades an attempt on the server and returns the feedback. A logged-in student's attempt is kept."""
    found = get_object_or_404(Quiz, slug=slug)
    if not isinstance(request.data, dict):
        return _error(UserError(_("A JSON object with “answers” is expected."), field="answers"))
    try:
        attempt = services.attempt_submit(quiz=found, user=request.user, answers=request.data.get("answers"))
    except UserError as error:
        return _error(error)
    body = selectors.attempt_result(attempt)
    body["attempts_left"] = services.attempts_left(found, request.user)
    return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(
    responses=AttemptSummaries,
    parameters=[OpenApiParameter("quiz", str, description="Only attempts at this quiz.")],
    tags=["quizzes"],
    operation_id="attempts_list",
)
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def attempts(request: Request) -> Response:
    """My attempts, newest first."""
    mine = Attempt.objects.filter(user=request.user).select_related("quiz")
    if request.GET.get("quiz"):
        mine = mine.filter(quiz__slug=request.GET["quiz"])
    return Response(
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
            for a in mine[:200]
        ]
    )


def _own_attempt(request: Request, attempt_id: int) -> Attempt:
    owned = Attempt.objects.select_related("quiz")
    if not request.user.is_staff:
        owned = owned.filter(user=request.user)
    return get_object_or_404(owned, pk=attempt_id)


@extend_schema(responses=OpenApiTypes.OBJECT, tags=["quizzes"])
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def attempt(request: Request, attempt_id: int) -> Response:
    """One of my attempts, graded, with its feedback."""
    return Response(selectors.attempt_result(_own_attempt(request, attempt_id)))


@extend_schema(request=RateBody, responses=OpenApiTypes.OBJECT, tags=["quizzes"])
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
def rate(request: Request, attempt_id: int) -> Response:
    """Self-rating of an essay answer after comparing it with the model answer: 0, 0.5 or 1."""
    found = _own_attempt(request, attempt_id)
    body = request.data if isinstance(request.data, dict) else {}
    try:
        question_id, fraction = int(body.get("question")), float(body.get("fraction"))
    except (TypeError, ValueError):
        return _error(UserError(_("“question” must be an id and “fraction” a number."), field="fraction"))
    try:
        services.essay_rate(attempt=found, question_id=question_id, fraction=fraction)
    except UserError as error:
        return _error(error)
    return Response(selectors.attempt_result(found))
