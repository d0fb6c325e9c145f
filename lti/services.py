"""Every change the LMS causes: registering a platform, a launch becoming an account and a class, a teacher
placing activities, a score recorded and sent, a roster read. Views and tasks call these; nothing else writes
the lti rows."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Permission
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lti_tool.lti_core.constants import ContextRole
from lti_tool.lti_core.utils import normalize_role
from lti_tool.models import Key, LtiDeployment, LtiLaunch, LtiPlatformInstance, LtiRegistration, LtiUser
from lti_tool.utils import sync_data_from_launch
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.lineitem import LineItem
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector

from classes.models import Class, Membership
from core.errors import UserError

from .models import ROSTER_ERRORS, Course, FrameOrigin, Placement, Score
from .tool import LaunchRefused

log = logging.getLogger(__name__)

TEACHING_ROLES = {
    ContextRole.INSTRUCTOR.value,
    ContextRole.ADMINISTRATOR.value,
    ContextRole.CONTENT_DEVELOPER.value,
    "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
}
AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
REGISTRATION_SALT = "lti.registration-link"
SERVICE_TIMEOUT_S = 10
ROSTER_LOCK_S = 600  # longer than any read of a roster (each of its pages times out after SERVICE_TIMEOUT_S)


# --- Keys, frames, registration -----------------------------------------------------------------------


def tool_keys() -> dict:
    """The tool's public keys (JWKS); the first one is made on first need, `rotate_keys` makes the next."""
    if not Key.objects.active().exists():
        Key.objects.generate()
    return Key.objects.as_jwks()


def origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


def frame_origins() -> list[str]:
    """Who may show the LMS-facing pages in a frame: the registered, active platforms (their issuer, login
    address and the instance addresses their launches named), nobody else."""
    urls: list[str] = []
    for issuer, auth_url in LtiRegistration.objects.active().values_list("issuer", "auth_url"):
        urls += [issuer, auth_url]
    urls += FrameOrigin.objects.filter(registration__is_active=True).values_list("origin", flat=True)
    urls += LtiPlatformInstance.objects.filter(
        deployments__registration__is_active=True, deployments__is_active=True
    ).values_list("url", flat=True)
    return sorted({o for o in map(origin, urls) if o})


def registration_link_token() -> str:
    """A signed token for the dynamic-registration address an admin gives an LMS administrator: only whoever
    holds one can register a platform (whose instructors become teachers here)."""
    return signing.dumps({"purpose": "register"}, salt=REGISTRATION_SALT)


def registration_link_check(token: str) -> None:
    try:
        signing.loads(token, salt=REGISTRATION_SALT, max_age=settings.LTI_REGISTRATION_LINK_MAX_AGE)
    except signing.BadSignature as error:
        raise LaunchRefused(
            _(
                "This registration link is not valid or has expired. Ask the platform's administrator for a new one."
            )
        ) from error


@dataclass(frozen=True)
class ToolAddresses:
    """The tool's absolute addresses, as the LMS must call them."""

    login: str
    launch: str
    jwks: str
    domain: str
    logo: str = ""


@transaction.atomic
def registration_dynamic(
    *, openid_configuration: str, registration_token: str, tool: ToolAddresses, name: str
) -> LtiRegistration:
    """LTI Dynamic Registration: read the platform's configuration, register the tool with it, and record the
    platform (and the deployment it made) as active. Raises UserError with the platform's reason."""
    headers = {"Authorization": f"Bearer {registration_token}"} if registration_token else {}
    try:
        answer = requests.get(openid_configuration, headers=headers, timeout=SERVICE_TIMEOUT_S)
        answer.raise_for_status()
        config = answer.json()
        issuer = config["issuer"]
        if not openid_configuration.startswith(issuer):
            raise UserError(_("The platform's configuration names another issuer than its own address."))
        body = {
            "application_type": "web",
            "response_types": ["id_token"],
            "grant_types": ["implicit", "client_credentials"],
            "initiate_login_uri": tool.login,
            "redirect_uris": [tool.launch],
            "client_name": str(settings.SITE_NAME),
            "jwks_uri": tool.jwks,
            "logo_uri": tool.logo,
            "token_endpoint_auth_method": "private_key_jwt",
            "scope": " ".join([*AGS_SCOPES, NRPS_SCOPE]),
            TOOL_CONFIGURATION: {
                "domain": tool.domain,
                "target_link_uri": tool.launch,
                "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
                "messages": [
                    {
                        "type": "LtiDeepLinkingRequest",
                        "target_link_uri": tool.launch,
                        "label": str(settings.SITE_NAME),
                    },
                    {"type": "LtiResourceLinkRequest", "target_link_uri": tool.launch},
                ],
            },
        }
        made = requests.post(
            config["registration_endpoint"], json=body, headers=headers, timeout=SERVICE_TIMEOUT_S
        )
        made.raise_for_status()
        client = made.json()
        client_id = client["client_id"]
    except (requests.RequestException, ValueError, KeyError, TypeError) as error:
        log.warning("dynamic registration failed: %s", error)
        raise UserError(
            _("The learning platform did not complete the registration: %(error)s") % {"error": error}
        ) from error
    registration, _created = LtiRegistration.objects.update_or_create(
        issuer=issuer,
        client_id=client_id,
        defaults={
            "name": name
            or config.get("https://purl.imsglobal.org/spec/lti-platform-configuration", {}).get(
                "product_family_code", issuer
            ),
            "auth_url": config["authorization_endpoint"],
            "token_url": config["token_endpoint"],
            "keyset_url": config["jwks_uri"],
            "audience": config.get("authorization_server", "") or "",
            "is_active": True,
        },
    )
    FrameOrigin.objects.get_or_create(registration=registration, origin=origin(openid_configuration))
    deployment_id = (client.get(TOOL_CONFIGURATION) or {}).get("deployment_id")
    if deployment_id:
        LtiDeployment.objects.update_or_create(
            registration=registration, deployment_id=str(deployment_id), defaults={"is_active": True}
        )
    return registration


# --- Launch: account, class, roles ----------------------------------------------------------------------


def teaches(lti_launch: LtiLaunch) -> bool:
    roles = {normalize_role(role) for role in lti_launch.roles_claim or []}
    return bool(roles & TEACHING_ROLES)


def lms_account(*, registration: LtiRegistration, sub: str, claims: dict):
    """The platform account of an LMS user, found by issuer and subject — never by e-mail, which an LMS
    user may set to anything — or made without a password (they sign in only through the LMS)."""
    linked = (
        LtiUser.objects.filter(registration__issuer=registration.issuer, sub=sub, auth_user__isnull=False)
        .select_related("auth_user")
        .first()
    )
    lti_user, _created = LtiUser.objects.get_or_create(registration=registration, sub=sub)
    if linked is not None:
        user = linked.auth_user
    elif lti_user.auth_user_id:
        user = lti_user.auth_user
    else:
        email = (claims.get("email") or "").strip()
        if email and get_user_model().objects.filter(email__iexact=email).exists():
            email = ""  # one account per address here; the LMS's word is no proof that it is this person's
        user = get_user_model()(
            username=lms_username(registration.issuer, sub, claims),
            first_name=(claims.get("given_name") or "")[:150],
            last_name=(claims.get("family_name") or "")[:150],
            email=email,
        )
        user.set_unusable_password()
        user.save()
    if lti_user.auth_user_id != user.pk:
        lti_user.auth_user = user
        lti_user.save(update_fields=["auth_user", "datetime_modified"])
    return user


def lms_username(issuer: str, sub: str, claims: dict) -> str:
    """A username a teacher can read in the class's pages (the LMS's name for the person) made unique by a
    digest of issuer and subject: `ada-lovelace-3f2a91`, or `lms-3f2a91…` for an LMS that shares no name."""
    digest = hashlib.sha256(f"{issuer}\n{sub}".encode()).hexdigest()
    name = (
        " ".join(filter(None, [claims.get("given_name"), claims.get("family_name")]))
        or claims.get("name")
        or ""
    )
    base = slugify(name, allow_unicode=True)[:40] or "lms"
    taken = get_user_model().objects.filter(username=f"{base}-{digest[:6]}").exists()
    return f"{base}-{digest[:20] if taken else digest[:6]}"


def _make_teacher(user) -> None:
    user.user_permissions.add(Permission.objects.get(codename="teach", content_type__app_label="classes"))


def course_join(*, course: Course, user, teacher: bool) -> None:
    if teacher:
        course.teachers.add(user)
        _make_teacher(user)
    else:
        Membership.objects.get_or_create(klass=course.klass, learner=user)


@transaction.atomic
def launch_accept(lti_launch: LtiLaunch):
    """Records a validated launch: django-lti's rows (LMS user, context, membership, resource link), the
    platform account, and — for a course — the class, with this user as its teacher or learner by LTI role.
    Returns (user, course or None, teaches)."""
    sync_data_from_launch(lti_launch)
    claims = lti_launch.get_launch_data()
    user = lms_account(registration=lti_launch.registration, sub=claims["sub"], claims=claims)
    teacher = teaches(lti_launch)
    course = None
    if lti_launch.context_claim:
        context = lti_launch.context
        course = Course.objects.filter(context=context).select_related("klass").first()
        if course is None and teacher:
            name = (context.title or context.label or context.id_on_platform)[:100]
            klass = Class.objects.create(name=name, teacher=user)
            course = Course.objects.create(context=context, klass=klass)
            for earlier in context.memberships.filter(is_learner=True, user__auth_user__isnull=False):
                Membership.objects.get_or_create(klass=klass, learner_id=earlier.user.auth_user_id)
        if course is not None:
            course_join(course=course, user=user, teacher=teacher)
            if teacher:
                roster_sync_soon(course)
    return user, course, teacher


# --- Deep linking: placing activities -------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    kind: str
    slug: str
    title: str
    url: str


def activities() -> list[Activity]:
    """What a teacher may place: published lessons and their quizzes and guided experiments, and the labs."""
    from experiments.models import Experiment
    from lessons.models import Lesson
    from quizzes.models import Quiz
    from trainer.catalog import LABS

    found = [
        # A lesson's slug is unique within its course only.
        Activity(
            Placement.Kind.LESSON,
            f"{lesson.course.slug}/{lesson.slug}",
            lesson.title,
            lesson.get_absolute_url(),
        )
        for lesson in Lesson.objects.published().select_related("course").order_by("course", "order")
    ]
    found += [
        Activity(Placement.Kind.QUIZ, quiz.slug, quiz.title, quiz.get_absolute_url())
        for quiz in Quiz.objects.visible_to(AnonymousUser()).order_by("title")
    ]
    found += [
        Activity(Placement.Kind.EXPERIMENT, exp.slug, exp.title, exp.get_absolute_url())
        for exp in Experiment.objects.filter(lesson__in=Lesson.objects.published())
    ]
    found += [
        Activity(Placement.Kind.LAB, lab.slug, str(lab.title), reverse("lab", args=[lab.slug]))
        for lab in LABS.values()
    ]
    return found


def activity(kind: str, slug: str) -> Activity:
    for candidate in activities():
        if candidate.kind == kind and candidate.slug == slug:
            return candidate
    raise UserError(_("There is no such activity to place."))


@transaction.atomic
def placements_create(*, course: Course, chosen: list[tuple[str, str]]) -> list[Placement]:
    if not chosen:
        raise UserError(_("Choose at least one activity to place."))
    return [
        Placement.objects.create(course=course, kind=kind, slug=slug, title=activity(kind, slug).title[:300])
        for kind, slug in chosen
    ]


def deep_link_response(
    *, lti_launch: LtiLaunch, placements: list[Placement], launch_url: str
) -> tuple[str, str]:
    """The signed LtiDeepLinkingResponse (and where to post it): one LTI resource link per placement, with a
    line item for a graded one so the LMS makes a gradebook column for it."""
    message_launch = lti_launch.get_message_launch()
    deep_link: DeepLink = message_launch.get_deep_link()
    resources = []
    for placement in placements:
        resource = (
            DeepLinkResource()
            .set_url(launch_url)
            .set_title(placement.title)
            .set_custom_params({"placement": str(placement.resource_id)})
        )
        if placement.graded:
            resource.set_lineitem(
                LineItem()
                .set_tag(placement.kind)
                .set_score_maximum(100)
                .set_label(placement.title)
                .set_resource_id(str(placement.resource_id))
            )
        resources.append(resource)
    settings_claim = lti_launch.get_claim(
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
    )
    return deep_link.get_response_jwt(resources), settings_claim["deep_link_return_url"]


def placement_of_launch(*, lti_launch: LtiLaunch, course: Course | None) -> Placement | None:
    """The placement a resource link launches (its custom parameter), its line item noted from the claim."""
    custom = lti_launch.get_claim("https://purl.imsglobal.org/spec/lti/claim/custom") or {}
    if course is None or not custom.get("placement"):
        return None
    placement = Placement.objects.filter(course=course, resource_id=custom["placement"]).first()
    lineitem = (lti_launch.ags_claim or {}).get("lineitem", "")
    if placement is not None and lineitem and placement.lineitem_url != lineitem:
        placement.lineitem_url = lineitem
        placement.save(update_fields=["lineitem_url"])
    return placement


def placement_url(placement: Placement) -> str:
    return activity(placement.kind, placement.slug).url


# --- Assignment and Grade Services ---------------------------------------------------------------------


def scores_record(*, learner, kind: str, slug: str, given: float, maximum: float) -> list[Score]:
    """A finished quiz or passed experiment: one pending score per LMS course of this learner where a
    teacher placed the activity; sent after the commit (lti.tasks), kept until the LMS took it."""
    from .tasks import send_score

    if not maximum:
        return []
    placements = Placement.objects.filter(
        kind=kind,
        slug=slug,
        course__klass__memberships__learner=learner,
        course__context__can_publish_scores=True,  # an LMS that grants no AGS score scope gets none
    ).select_related("course__context__deployment__registration")
    made = []
    for placement in placements:
        lti_user = LtiUser.objects.filter(
            registration=placement.course.registration, auth_user=learner
        ).first()
        if lti_user is None:
            continue
        score = Score.objects.create(
            placement=placement,
            learner=learner,
            user_id=lti_user.sub,
            score_given=round(given, 4),
            score_maximum=maximum,
            timestamp=timezone.now(),
        )
        transaction.on_commit(lambda pk=score.pk: send_score.delay(pk))
        made.append(score)
    return made


def _connector(registration: LtiRegistration) -> ServiceConnector:
    session = requests.Session()
    session.request = _with_timeout(session.request)  # type: ignore[method-assign]
    return ServiceConnector(registration.to_registration(), requests_session=session)


def _with_timeout(request):
    def call(method, url, **kwargs):
        kwargs.setdefault("timeout", SERVICE_TIMEOUT_S)
        return request(method, url, **kwargs)

    return call


def _error_text(error: Exception) -> str:
    if isinstance(error, LtiServiceException):
        return f"{error.response.status_code}: {error.response.text[:500]}"
    return str(error)[:1000] or error.__class__.__name__


def granted_scopes(context) -> list[str]:
    """The AGS scopes the LMS's launches granted for this course (django-lti keeps them on the context)."""
    flags = {
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem": context.can_manage_lineitems,
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly": context.can_query_lineitems,
        "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly": context.can_access_results,
        "https://purl.imsglobal.org/spec/lti-ags/scope/score": context.can_publish_scores,
    }
    return [scope for scope, granted in flags.items() if granted]


def score_send(score: Score) -> bool:
    """Posts one score to its line item (finding or making the line item by resourceId where the launch
    did not name it). True when the LMS took it; otherwise the error is kept and it stays pending."""
    from pylti1p3.grade import Grade

    placement = score.placement
    context = placement.course.context
    service = AssignmentsGradesService(
        _connector(placement.course.registration),
        {
            "scope": granted_scopes(context),
            "lineitems": context.lineitems_url,
            "lineitem": placement.lineitem_url,
        },
    )
    grade = (
        Grade()
        .set_user_id(score.user_id)
        .set_score_given(score.score_given)
        .set_score_maximum(score.score_maximum)
        .set_activity_progress(score.activity_progress)
        .set_grading_progress(score.grading_progress)
        .set_timestamp(score.timestamp.isoformat())
    )
    score.tries += 1
    try:
        if placement.lineitem_url:
            service.put_grade(grade)
        else:
            item = service.find_or_create_lineitem(
                LineItem()
                .set_tag(placement.kind)
                .set_score_maximum(100)
                .set_label(placement.title)
                .set_resource_id(str(placement.resource_id)),
                find_by="resource_id",
            )
            placement.lineitem_url = item.get_id() or ""
            placement.save(update_fields=["lineitem_url"])
            service.put_grade(grade, item)
    except (LtiException, requests.RequestException, ValueError, KeyError) as error:
        score.last_error = _error_text(error)
        score.save(update_fields=["tries", "last_error"])
        log.warning("score %s not taken by the LMS (try %s): %s", score.pk, score.tries, score.last_error)
        return False
    score.status, score.sent_at, score.last_error = Score.Status.SENT, timezone.now(), ""
    score.save(update_fields=["tries", "status", "sent_at", "last_error"])
    return True


def scores_waiting(older_than: timedelta, quick_tries: int) -> list[int]:
    """Pending scores no task is working on: never tried (their message was lost), past their task's quick
    retries, or so old that any task for them has ended."""
    now = timezone.now()
    return list(
        Score.objects.waiting()
        .filter(timestamp__lt=now - older_than)
        .filter(Q(tries=0) | Q(tries__gt=quick_tries) | Q(timestamp__lt=now - timedelta(hours=3)))
        .values_list("pk", flat=True)
    )


# --- Names and Role Provisioning Services --------------------------------------------------------------


def _roster_error(code: str, **params) -> UserError:
    return UserError(gettext_lazy(ROSTER_ERRORS[code]), code=code, params=params)


def roster_sync(course: Course) -> dict[str, int]:
    """Reads the course's members from the LMS and adds to the class whom it lacks: every active member an
    account (linked by issuer and subject), instructors teachers, learners members. Nobody is taken out: a
    learner the LMS no longer lists keeps their membership and their work in the class (an LMS's partial or
    mistaken answer must not cost anyone their place); they are counted as `absent`. A failure is logged and
    kept on the course for its teachers' page, then raised. Returns counts."""
    lock = f"lti:roster-sync:{course.pk}"
    if not cache.add(lock, 1, ROSTER_LOCK_S):  # two reads at once would make the same rows twice
        raise UserError(_("The roster is being read from the LMS right now; reload this page in a moment."))
    now = timezone.now()
    try:
        counts = _roster_apply(course)
    except UserError as error:
        log.warning("roster of course %s not read from the LMS: %s", course.pk, error.params or error.code)
        course.roster_tried_at, course.roster_error = now, {"code": error.code, "params": error.params}
        course.save(update_fields=["roster_tried_at", "roster_error"])
        raise
    finally:
        cache.delete(lock)
    course.roster_synced_at = course.roster_tried_at = now
    course.roster_error = {}
    course.save(update_fields=["roster_synced_at", "roster_tried_at", "roster_error"])
    return counts


@transaction.atomic
def _roster_apply(course: Course) -> dict[str, int]:
    context = course.context
    if not context.memberships_url:
        raise _roster_error("lti_no_roster")
    service = NamesRolesProvisioningService(
        _connector(course.registration), {"context_memberships_url": context.memberships_url}
    )
    try:
        members = service.get_members()
    except (LtiException, requests.RequestException, ValueError) as error:
        raise _roster_error("lti_roster_refused", error=_error_text(error)) from error
    if not members:  # an LMS hiccup, not a course that emptied
        raise _roster_error("lti_roster_empty")
    for member in members:  # the spec makes both optional; django-lti reads both
        member.setdefault("status", "Active")
        member.setdefault("roles", [])
    context.update_memberships(members)
    registration = course.registration
    counts = {"teachers": 0, "learners": 0, "absent": 0}
    listed = set()
    for member in members:
        if member.get("status", "Active") != "Active" or not member.get("user_id"):
            continue
        user = lms_account(registration=registration, sub=member["user_id"], claims=member)
        roles = {normalize_role(role) for role in member.get("roles", [])}
        teacher = bool(roles & TEACHING_ROLES)
        course_join(course=course, user=user, teacher=teacher)
        counts["teachers" if teacher else "learners"] += 1
        if not teacher:
            listed.add(user.pk)
    counts["absent"] = course.klass.memberships.exclude(learner__in=listed).count()
    return counts


def roster_sync_due(course: Course) -> bool:
    """Whether the roster should be read again on its own: the LMS offers it and the last read (or failed
    try) is older than LTI_ROSTER_SYNC_EVERY_S."""
    since = timezone.now() - timedelta(seconds=settings.LTI_ROSTER_SYNC_EVERY_S)
    tried = course.roster_tried_at
    return bool(course.context.memberships_url) and (tried is None or tried < since)


def roster_sync_soon(course: Course) -> None:
    """A teacher's launch: the roster is read after the commit, by a task, unless it was read lately."""
    from .tasks import sync_roster

    if roster_sync_due(course):
        transaction.on_commit(lambda pk=course.pk: sync_roster.delay(pk), robust=True)  # never fails a launch


def roster_sync_if_due(course_id: int) -> dict[str, int] | None:
    """The task's read: skipped when another read came first; a failure is already logged and recorded."""
    course = Course.objects.select_related("context__deployment__registration", "klass").filter(pk=course_id)
    course = course.first()
    if course is None or not roster_sync_due(course):
        return None
    try:
        return roster_sync(course)
    except UserError:
        return None


def rosters_due() -> list[int]:
    """The courses of active registrations and deployments whose roster the beat should read again."""
    since = timezone.now() - timedelta(seconds=settings.LTI_ROSTER_SYNC_EVERY_S)
    return list(
        Course.objects.filter(
            context__deployment__is_active=True, context__deployment__registration__is_active=True
        )
        .exclude(context__memberships_url="")
        .filter(Q(roster_tried_at__isnull=True) | Q(roster_tried_at__lt=since))
        .values_list("pk", flat=True)
    )
