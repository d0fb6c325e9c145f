"""The LMS-facing pages (key set, registration, OIDC login, launch, deep-linking picker) and the teacher's
page of what was sent. The LMS-facing ones may be framed by registered platforms only, take no CSRF token
(their proof is the signed launch they continue) and never rely on a cookie inside the LMS's frame: an
activity opens in a window of its own, where our session cookie is first-party."""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoOIDCLogin
from pylti1p3.exception import LtiException, OIDCException

from core.errors import UserError
from core.net import client_ip

from . import services
from .models import Course, Placement, Score
from .tool import LaunchRefused, ToolConfig, refusal, stored_launch, validated_launch

log = logging.getLogger(__name__)

HANDOFF_TTL_S = 120  # seconds the "open in a new window" link of a framed launch stays good (once)
LOGIN_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "lti_deployment_id", "client_id")


def _framable(response: HttpResponse, *, also: str | None = None, form_to: str | None = None) -> HttpResponse:
    """Lets registered platforms (and `also`, an origin) frame this page; `form_to` may receive its form."""
    origins = services.frame_origins()
    if also:
        origins.append(also)
    response._csp_replace = {"frame-ancestors": origins or ["'none'"]}  # type: ignore[attr-defined]
    if form_to:
        response._csp_replace["form-action"] = ["'self'", form_to]  # type: ignore[attr-defined]
    response.xframe_options_exempt = True  # type: ignore[attr-defined]
    return response


def _refused(request: HttpRequest, error: UserError, *, also: str | None = None) -> HttpResponse:
    page = render(request, "lti/refused.html", {"reason": error.message}, status=error.status_code)
    return _framable(page, also=also)


def _framed(request: HttpRequest) -> bool:
    return request.headers.get("Sec-Fetch-Dest") == "iframe"


def _tool_addresses(request: HttpRequest) -> services.ToolAddresses:
    launch = request.build_absolute_uri(reverse("lti_launch"))
    return services.ToolAddresses(
        login=request.build_absolute_uri(reverse("lti_login")),
        launch=launch,
        jwks=request.build_absolute_uri(reverse("lti_jwks")),
        domain=request.get_host(),
    )


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    return JsonResponse(services.tool_keys())


@xframe_options_exempt
@require_GET
def register(request: HttpRequest, token: str) -> HttpResponse:
    """LTI Dynamic Registration: the LMS opens this address (made by `manage.py lti_registration_link`) with
    its configuration's address and a registration token, in a frame or a window of its own."""
    configuration = request.GET.get("openid_configuration", "")
    platform = services.origin(configuration)
    try:
        services.registration_link_check(token)
        if not platform:
            raise LaunchRefused(_("Open this address from your learning platform's tool registration page."))
        services.tool_keys()
        registration = services.registration_dynamic(
            openid_configuration=configuration,
            registration_token=request.GET.get("registration_token", ""),
            tool=_tool_addresses(request),
            name=request.GET.get("name", ""),
        )
    except UserError as error:
        return _refused(request, error, also=platform)
    page = render(request, "lti/registered.html", {"registration": registration})
    return _framable(page, also=platform)


@csrf_exempt
@xframe_options_exempt
def login(request: HttpRequest) -> HttpResponse:
    """OIDC third-party login initiation. Inside the LMS's frame, a page first checks that this browser
    keeps our cookie there; if it does not, the person continues in a new window (pylti1p3's state cookie
    then belongs to a first-party window)."""
    params = request.POST if request.method == "POST" else request.GET
    try:
        if not params.get("target_link_uri"):
            raise LaunchRefused(_("The login request names no activity to open."))
        if _framed(request) and not params.get("lti1p3_new_window"):
            query = {key: params[key] for key in LOGIN_PARAMS if params.get(key)}
            query["lti1p3_new_window"] = "1"
            page = render(request, "lti/login.html", {"continue_url": f"{request.path}?{urlencode(query)}"})
            return _framable(page)
        oidc = DjangoOIDCLogin(request, ToolConfig(), launch_data_storage=DjangoCacheDataStorage())
        return oidc.redirect(request.build_absolute_uri(reverse("lti_launch")))
    except (LtiException, OIDCException) as error:
        return _refused(request, refusal(error))
    except LaunchRefused as error:
        return _refused(request, error)


@csrf_exempt
@xframe_options_exempt
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    """A resource-link or deep-linking launch: validated, then a platform account and class; every refusal
    happens before anything is written."""
    try:
        lti_launch = validated_launch(request)
        teacher = services.teaches(lti_launch)
        custom = lti_launch.get_claim("https://purl.imsglobal.org/spec/lti/claim/custom") or {}
        if lti_launch.is_deep_link_launch:
            if not teacher:
                raise LaunchRefused(_("Only the course's teachers can place activities."))
            if not lti_launch.context_claim:
                raise LaunchRefused(_("Activities can be placed in a course only."))
        elif not lti_launch.is_resource_launch:
            raise LaunchRefused(_("This kind of launch is not supported."))
        elif custom.get("view") == "scores" and not teacher:
            raise LaunchRefused(_("Only the course's teachers can see the scores sent to the LMS."))
        user, course, teacher = services.launch_accept(lti_launch)
    except LaunchRefused as error:
        return _refused(request, error)
    if lti_launch.is_deep_link_launch:
        return _picker(request, lti_launch.get_launch_id(), course)
    placement = services.placement_of_launch(lti_launch=lti_launch, course=course)
    if custom.get("view") == "scores" and course is not None:
        destination = reverse("lti_scores", args=[course.pk])
    elif placement is not None:
        destination = services.placement_url(placement)
    elif teacher and course is not None:
        destination = reverse("lti_scores", args=[course.pk])
    else:
        destination = reverse("home")
    title = placement.title if placement else (course.klass.name if course else "")
    return _enter(request, user, destination, title)


def _browser(request: HttpRequest) -> dict[str, str]:
    """What can be known of a browser without a cookie: its address (by core.net's rule) and User-Agent."""
    return {"ip": client_ip(request) or "", "agent": request.headers.get("User-Agent", "")}


def _enter(request: HttpRequest, user, destination: str, title: str) -> HttpResponse:
    """Top-level window: signs in and goes. In the LMS's frame, where no cookie of ours can be relied on, a
    one-time link opens the activity in a new window instead; it works for the browser that launched only
    (same address and User-Agent), so that a link handed on, or read over a shoulder, signs nobody in."""
    if not _framed(request):
        auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(destination)
    token = secrets.token_urlsafe(32)
    cache.set(
        f"lti:handoff:{token}", {"user": user.pk, "next": destination, **_browser(request)}, HANDOFF_TTL_S
    )
    page = render(request, "lti/open.html", {"url": reverse("lti_continue", args=[token]), "title": title})
    return _framable(page)


@require_GET
def continue_(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time link: burnt at its first use, whoever uses it."""
    key = f"lti:handoff:{token}"
    handoff = cache.get(key)
    if handoff is None or not cache.delete(key):
        return _refused(
            request,
            LaunchRefused(
                _("This link was already used or has expired. Open the activity again from your course.")
            ),
        )
    if {name: handoff.get(name) for name in ("ip", "agent")} != _browser(request):
        log.warning("a framed launch's link for user %s was opened by another browser", handoff["user"])
        return _refused(
            request,
            LaunchRefused(
                _(
                    "This link works only in the browser that opened the activity in your course. Open the"
                    " activity again from your course."
                )
            ),
        )
    user = get_object_or_404(get_user_model(), pk=handoff["user"], is_active=True)
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(handoff["next"])


def _picker(request: HttpRequest, launch_id: str, course: Course | None, error: str = "") -> HttpResponse:
    groups: dict[str, list] = {}
    for item in services.activities():
        groups.setdefault(str(Placement.Kind(item.kind).label), []).append(item)
    page = render(
        request,
        "lti/picker.html",
        {"launch_id": launch_id, "groups": groups, "course": course, "error": error},
        status=400 if error else 200,
    )
    return _framable(page)


@csrf_exempt
@xframe_options_exempt
@require_POST
def deep_link(request: HttpRequest) -> HttpResponse:
    """The teacher's choice from the picker: placements recorded, and the signed deep-linking response
    posted back to the LMS by the browser. The launch id (from the validated launch, used once) is the proof."""
    launch_id = request.POST.get("launch", "")
    try:
        lti_launch = stored_launch(request, launch_id)
        if not lti_launch.is_deep_link_launch or not services.teaches(lti_launch):
            raise LaunchRefused(_("Only the course's teachers can place activities."))
        course = Course.objects.get(context=lti_launch.context)
        chosen = [tuple(value.split(":", 1)) for value in request.POST.getlist("activity") if ":" in value]
        if not chosen:
            return _picker(request, launch_id, course, _("Choose at least one activity to place."))
        used = f"lti:deep-link-used:{launch_id}"
        if not cache.add(used, 1, 24 * 3600):  # one response per launch, even for two quick clicks
            raise LaunchRefused(_("These activities were already placed. Start again from your course."))
        try:
            placements = services.placements_create(course=course, chosen=chosen)  # type: ignore[arg-type]
        except UserError:
            cache.delete(used)  # nothing was placed: the teacher may choose again
            raise
        token, return_url = services.deep_link_response(
            lti_launch=lti_launch,
            placements=placements,
            launch_url=request.build_absolute_uri(reverse("lti_launch")),
        )
    except Course.DoesNotExist:
        return _refused(request, LaunchRefused(_("Activities can be placed in a course only.")))
    except UserError as error:
        return _refused(request, error)
    page = render(
        request, "lti/placed.html", {"jwt": token, "return_url": return_url, "placements": placements}
    )
    return _framable(page, form_to=services.origin(return_url))


def _taught(request: HttpRequest, pk: int) -> Course | None:
    course = get_object_or_404(Course.objects.select_related("klass", "context"), pk=pk)
    if course.klass.teacher_id == request.user.pk or course.teachers.filter(pk=request.user.pk).exists():
        return course
    return None


@login_required
@require_GET
def scores(request: HttpRequest, pk: int) -> HttpResponse:
    """What the platform sent to (or still owes) the LMS's gradebook for this course, for its teachers."""
    course = _taught(request, pk)
    if course is None:
        return _refused(
            request, LaunchRefused(_("Only the course's teachers can see the scores sent to the LMS."))
        )
    sent = Score.objects.filter(placement__course=course).select_related("placement", "learner")[:500]
    return render(
        request, "lti/scores.html", {"course": course, "scores": sent, "placements": course.placements.all()}
    )


@login_required
@require_POST
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    """A teacher's "read it now", beside the reads at their launches and the beat's."""
    course = _taught(request, pk)
    if course is None:
        return _refused(
            request, LaunchRefused(_("Only the course's teachers can see the scores sent to the LMS."))
        )
    try:
        counts = services.roster_sync(course)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "Roster read from the LMS: %(teachers)d teachers, %(learners)d learners; %(absent)d no longer"
                " listed by the LMS, kept in the class."
            )
            % counts,
        )
    return redirect("lti_scores", pk=course.pk)
