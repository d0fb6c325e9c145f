import csv
import io
import math

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from core import paging
from core.errors import NotFound, TooMany
from core.throttles import AcceptedRate
from core.workers import gpu_worker_alive

from . import budget, generation, services
from .catalog import LABS
from .models import Job
from .serializers import (
    EstimateResultSerializer,
    EstimateSerializer,
    GenerateSerializer,
    GenerationSerializer,
    JobDetailSerializer,
    JobQuerySerializer,
    JobSerializer,
    JobSubmitSerializer,
    LabSerializer,
    lab_description,
)


@extend_schema(responses=LabSerializer(many=True), tags=["labs"])
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def labs(request: Request) -> Response:
    """Every lab with its hyperparameters: type, range, default and help, in the request's language."""
    return Response([lab_description(lab) for lab in LABS.values()])


@extend_schema(
    request=EstimateSerializer,
    responses={200: EstimateResultSerializer, 400: OpenApiResponse(description="Invalid hyperparameters")},
    tags=["labs"],
)
@api_view(["POST"])
@permission_classes([permissions.AllowAny])
def estimate(request: Request, slug: str) -> Response:
    """How long a run with these settings would take (from the workers' measured speed), whether it fits the
    lab's time limit, and the most steps that would; and whether a GPU worker is there to choose. The form asks
    as the learner types."""
    body = EstimateSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    lab, config = services.lab_config(lab_slug=slug, params=body.validated_data["params"])
    return Response({**budget.estimate(lab, config), "gpu": gpu_worker_alive()})


@extend_schema(
    methods=["GET"],
    parameters=[OpenApiParameter("lab", str, description="Only this lab's runs."), paging.BEFORE],
    responses=JobSerializer(many=True),
    tags=["jobs"],
)
@extend_schema(
    methods=["POST"],
    request=JobSubmitSerializer,
    responses={
        201: JobSerializer,
        400: OpenApiResponse(description="Invalid lab or hyperparameters"),
        429: OpenApiResponse(description="Too many jobs in flight or submitted"),
    },
    tags=["jobs"],
)
@api_view(["GET", "POST"])
@permission_classes([permissions.IsAuthenticated])
def jobs(request: Request) -> Response:
    """GET: my training runs, newest first, 100 a page (staff: everyone's); the `Link` header names the next
    page. POST: submit a run of a lab."""
    if request.method == "POST":
        # Per-learner submissions over time, on top of the limit on jobs in flight; only an accepted one counts.
        throttle = AcceptedRate("job-submit", settings.JOB_SUBMIT_RATE, request.user.pk)
        if not throttle.allows():
            raise TooMany(
                _("You are starting runs too quickly. Please wait a little before the next one."),
                retry_after=math.ceil(throttle.wait()),
            )
        body = JobSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        job = services.job_submit(
            owner=request.user, lab_slug=body.validated_data["lab"], params=body.validated_data["params"]
        )
        throttle.record()
        return Response(JobSerializer(job).data, status=status.HTTP_201_CREATED)
    queryset = Job.objects.visible_to(request.user).select_related("owner")
    if request.GET.get("lab"):
        queryset = queryset.filter(lab=request.GET["lab"])
    if not request.user.is_staff or request.GET.get("mine"):
        queryset = queryset.filter(owner=request.user)
    rows, next_url = paging.page(request, queryset, 100)
    return paging.with_next(Response(JobSerializer(rows, many=True).data), next_url)


def _visible_job(request: Request, job_id: int) -> Job:
    """Someone else's job is answered exactly like a job that does not exist."""
    return get_object_or_404(Job.objects.visible_to(request.user).select_related("owner"), pk=job_id)


@extend_schema(parameters=[JobQuerySerializer], responses=JobDetailSerializer, tags=["jobs"])
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def job(request: Request, job_id: int) -> Response:
    """One run: status, device, timings and final metrics (for linear regression, `w` and `b`)."""
    # A plain dict, not the QueryDict: DRF would read an empty `?history=` as absent, not as an error.
    query = JobQuerySerializer(data=request.query_params.dict())
    query.is_valid(raise_exception=True)
    found = get_object_or_404(Job.objects.readable_by(request.user).select_related("owner"), pk=job_id)
    serializer = JobDetailSerializer if query.validated_data["history"] else JobSerializer
    return Response(serializer(found).data)


@extend_schema(
    request=None,
    responses={200: JobSerializer, 409: OpenApiResponse(description="Already ended")},
    tags=["jobs"],
)
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
def cancel(request: Request, job_id: int) -> Response:
    """Stops a queued or running run (a running one within about a second)."""
    found = _visible_job(request, job_id)
    return Response(JobSerializer(services.job_cancel(job=found)).data)


@extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR}, tags=["jobs"])
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def metrics_csv(request: Request, job_id: int) -> HttpResponse:
    """Every reported point of an ended run, one row per step."""
    found = _visible_job(request, job_id)
    # The lab's own series first, in its charts' order (the database may not keep the keys' order).
    charted = [name for chart in LABS[found.lab].charts for name in chart.series] if found.lab in LABS else []
    reported = {k for point in found.history for k in point} - {"step"}
    columns = ["step", *[n for n in charted if n in reported], *sorted(reported - set(charted))]
    out = io.StringIO()
    rows, name = found.history, f"{found.lab}-job{found.pk}-metrics.csv"
    if found.diverged_at is not None:
        # Say what the file holds: every point up to the divergence, then a last row that names it.
        columns.append("note")
        note = _("diverged at this step: the values were no longer finite numbers, so the run stopped here")
        rows = [*rows, {"step": found.diverged_at, "note": note}]
        name = f"{found.lab}-job{found.pk}-diverged-at-step-{found.diverged_at}-metrics.csv"
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: None}, tags=["jobs"])
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def weights(request: Request, job_id: int) -> HttpResponse:
    """The trained model's state_dict, for `torch.load(..., weights_only=True)`."""
    found = _visible_job(request, job_id)
    stored = getattr(found, "weights", None) if found.status in Job.TRAINED else None
    if found.diverged_at is not None:
        message = _(
            "This run diverged at step %(step)d: its weights were no longer finite numbers, so none were kept."
        ) % {"step": found.diverged_at}
        raise NotFound(message, code="diverged")
    if stored is None:
        raise NotFound(_("This run has no trained weights (it did not succeed)."), code="no_weights")
    response = HttpResponse(bytes(stored.data), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{found.lab}-job{found.pk}.pt"'
    return response


@extend_schema(
    request=GenerateSerializer,
    responses={
        202: GenerationSerializer,
        400: OpenApiResponse(description="Invalid settings, or not a GPT run"),
        404: OpenApiResponse(description="No such run (or another learner's)"),
        409: OpenApiResponse(description="The run has no trained model"),
        429: OpenApiResponse(description="Too many generations (a new one stops the learner's previous one)"),
    },
    tags=["jobs"],
)
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
def generate(request: Request, job_id: int) -> Response:
    """A trained GPT run continues a prompt, on a worker; follow `events_url` for the text as it is written."""
    found = _visible_job(request, job_id)
    body = GenerateSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    # Per-learner generations over time (a new one stops the one before); only an accepted one counts.
    throttle = AcceptedRate("generate", generation.GENERATE_RATE, request.user.pk)
    if not throttle.allows():
        raise TooMany(
            _("You are asking for text too often. Please wait a little."),
            retry_after=math.ceil(throttle.wait()),
        )
    generation_id = generation.generation_start(job=found, owner=request.user, **body.validated_data)
    throttle.record()
    data = {"id": generation_id, "events_url": generation.events_url(found.pk, generation_id)}
    return Response(data, status=status.HTTP_202_ACCEPTED)
