from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from core import paging

from . import services
from .models import Experiment, Submission
from .selectors import experiments as published
from .serializers import (
    ExperimentSerializer,
    PastSubmissionSerializer,
    PredictionSerializer,
    ResultSerializer,
    SubmissionSerializer,
)


def _experiment(slug: str) -> Experiment:
    return get_object_or_404(published(), slug=slug)


@extend_schema(responses=ExperimentSerializer(many=True), tags=["experiments"])
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def experiments(request: Request) -> Response:
    """Every guided experiment: its lesson, lab, starting settings, prediction and instructions."""
    rows = published()
    if request.GET.get("lab"):
        rows = rows.filter(lab=request.GET["lab"])
    return Response(ExperimentSerializer(rows, many=True, context={"user": request.user}).data)


@extend_schema(responses=ExperimentSerializer, tags=["experiments"])
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def experiment(request: Request, slug: str) -> Response:
    """One experiment, and for a signed-in learner their latest prediction and whether they passed."""
    return Response(ExperimentSerializer(_experiment(slug), context={"user": request.user}).data)


@extend_schema(
    request=PredictionSerializer,
    responses={201: PredictionSerializer, 400: OpenApiResponse(description="Not one of the choices")},
    tags=["experiments"],
)
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
def prediction(request: Request, slug: str) -> Response:
    """Commits the learner's prediction. Only runs started after it count for the check."""
    found = _experiment(slug)
    body = PredictionSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    value = body.validated_data["prediction"]
    made = services.prediction_commit(owner=request.user, experiment=found, value=value)
    return Response({"prediction": made.value, "created_at": made.created_at}, status=status.HTTP_201_CREATED)


@extend_schema(
    methods=["GET"],
    parameters=[paging.BEFORE],
    responses=PastSubmissionSerializer(many=True),
    tags=["experiments"],
    operation_id="experiments_submissions_list",
)
@extend_schema(
    methods=["POST"],
    request=SubmissionSerializer,
    responses={
        201: ResultSerializer,
        400: OpenApiResponse(
            description="No prediction yet, or a run that cannot be graded (named: job, setting)"
        ),
    },
    tags=["experiments"],
)
@api_view(["GET", "POST"])
@permission_classes([permissions.IsAuthenticated])
def submissions(request: Request, slug: str) -> Response:
    """GET: my submissions to this experiment, newest first, 100 a page (the `Link` header names the next),
    a retired experiment's too. POST: grades the learner's own finished runs and answer: passed, feedback,
    the values compared, and the explanation."""
    if request.method == "GET":
        experiment = get_object_or_404(Experiment, slug=slug)
        mine = Submission.objects.filter(owner=request.user, experiment=experiment)
        rows, next_url = paging.page(request, mine, 100)
        return paging.with_next(Response(PastSubmissionSerializer(rows, many=True).data), next_url)
    found = _experiment(slug)
    body = SubmissionSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    submission, feedback = services.submission_grade(
        owner=request.user,
        experiment=found,
        job_ids=body.validated_data["jobs"],
        answer=body.validated_data.get("answer"),
    )
    result = {
        "passed": submission.passed,
        "feedback": feedback,
        "values": submission.values,
        "explanation": found.explanation_html,
    }
    return Response(result, status=status.HTTP_201_CREATED)
