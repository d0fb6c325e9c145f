from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import UserError
from trainer.serializers import JobSerializer

from . import selectors, services
from .content import Exercise, exercises
from .models import Attempt
from .serializers import (
    CodeSerializer,
    ExerciseAttemptSerializer,
    ExerciseSerializer,
    ExerciseSolutionSerializer,
    TrainWithCodeSerializer,
)


class SolutionLocked(UserError):
    status_code = 403
    code = "solution_locked"


def _exercise(slug: str) -> Exercise:
    found = exercises().get(slug)
    if found is None:
        raise Http404
    return found


@extend_schema(responses=ExerciseSerializer(many=True), tags=["exercises"])
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def exercise_list(request: Request) -> Response:
    """Every code exercise: its statement, starter code, hints and the properties its hidden tests check."""
    rows = [ExerciseSerializer.build(e, selectors.mine(request.user, e)) for e in exercises().values()]
    return Response(ExerciseSerializer(rows, many=True).data)


@extend_schema(responses=ExerciseSerializer, tags=["exercises"])
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def exercise_detail(request: Request, slug: str) -> Response:
    """One exercise, with the signed-in learner's draft and standing."""
    found = _exercise(slug)
    return Response(
        ExerciseSerializer(ExerciseSerializer.build(found, selectors.mine(request.user, found))).data
    )


@extend_schema(request=CodeSerializer, responses={200: CodeSerializer}, tags=["exercises"])
@api_view(["PUT"])
@permission_classes([permissions.IsAuthenticated])
def draft(request: Request, slug: str) -> Response:
    """Keeps what the learner has in the editor (one draft per learner and exercise)."""
    body = CodeSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    kept = services.draft_save(
        owner=request.user, exercise=_exercise(slug), source=body.validated_data["source"]
    )
    return Response({"source": kept.source})


@extend_schema(
    methods=["POST"],
    request=CodeSerializer,
    responses={
        202: ExerciseAttemptSerializer,
        400: OpenApiResponse(description="Code that cannot be run (NUL bytes, too long)"),
        429: OpenApiResponse(description="A check of this learner is still running"),
        503: OpenApiResponse(description="No sandbox on this server: exercises are refused"),
    },
    tags=["exercises"],
)
@extend_schema(methods=["GET"], responses=ExerciseAttemptSerializer(many=True), tags=["exercises"])
@api_view(["GET", "POST"])
@permission_classes([permissions.IsAuthenticated])
def attempts(request: Request, slug: str) -> Response:
    """POST: check the code (queued on the `sandbox` worker; poll the attempt). GET: the learner's attempts."""
    found = _exercise(slug)
    if request.method == "GET":
        rows = Attempt.objects.filter(owner=request.user, exercise=found.slug)[:50]
        return Response(ExerciseAttemptSerializer(rows, many=True).data)
    body = CodeSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    made = services.attempt_submit(owner=request.user, exercise=found, source=body.validated_data["source"])
    return Response(ExerciseAttemptSerializer(made).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(responses=ExerciseAttemptSerializer, tags=["exercises"])
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def attempt(request: Request, pk: int) -> Response:
    """One attempt: queued, checking, or its result (the failed properties in words, never the tests)."""
    return Response(ExerciseAttemptSerializer(get_object_or_404(Attempt, pk=pk, owner=request.user)).data)


@extend_schema(
    request=TrainWithCodeSerializer,
    responses={
        201: JobSerializer,
        400: OpenApiResponse(
            description="Not passed yet, a lab without this exercise's loop, or invalid settings"
        ),
        503: OpenApiResponse(description="No sandbox on this server"),
    },
    tags=["exercises"],
)
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
def train(request: Request, slug: str) -> Response:
    """Starts a run of the exercise's lab whose steps are the learner's latest passing function (run inside the
    sandbox); it streams like any job (`events_url`), and its `params.learner_code` names whose function."""
    body = TrainWithCodeSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    job = services.train_with_code(
        owner=request.user, exercise=_exercise(slug), params=body.validated_data["params"]
    )
    return Response(JobSerializer(job).data, status=status.HTTP_201_CREATED)


@extend_schema(
    responses={
        200: ExerciseSolutionSerializer,
        403: OpenApiResponse(description="Not passed, and too few tries yet"),
    },
    tags=["exercises"],
)
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def solution(request: Request, slug: str) -> Response:
    """The author's solution: after passing, or after a few tries that did not pass."""
    found = _exercise(slug)
    if not services.solution_allowed(owner=request.user, exercise=found):
        raise SolutionLocked(_("The solution opens once you pass, or after a few tries."))
    return Response({"source": found.solution})
