"""The reader's own things: `GET /api/me/` for the pages, and API tokens: `POST /api/token/` with a username
and password (throttled by django-axes like the log-in form), `DELETE /api/token/` to revoke the caller's."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import UserError
from core.parsers import JSONParser
from core.readers import keep_for
from lessons.models import FaqRating, LessonProgress

from .models import Preferences
from .services import account_delete, preferences_set
from .tokens import expires_at, token_create, tokens_revoke
from .views import data_download, locked_out


class ReaderSerializer(serializers.Serializer):
    username = serializers.CharField()
    is_staff = serializers.BooleanField()


class PreferencesSerializer(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=[("", "as the browser says"), *settings.LANGUAGES],
        required=False,
        help_text="The language of the learner's pages, e-mails and API answers; empty: as the browser asks.",
    )
    theme = serializers.ChoiceField(choices=Preferences.Theme.choices, required=False)


class MessageSerializer(serializers.Serializer):
    level = serializers.CharField(help_text="success, info, warning or error")
    text = serializers.CharField()


class MeSerializer(serializers.Serializer):
    user = ReaderSerializer(allow_null=True, help_text="null when nobody is signed in")
    csrf_token = serializers.CharField(help_text="for the page's forms (also set as the csrftoken cookie)")
    completed = serializers.DictField(
        child=serializers.ListField(child=serializers.SlugField()),
        help_text="course slug -> the slugs of the lessons marked complete",
    )
    faq_ratings = serializers.DictField(
        child=serializers.IntegerField(), help_text="FAQ entry slug -> the reader's latest rating"
    )
    messages = MessageSerializer(many=True, help_text="notices waiting for the reader (read once)")
    preferences = PreferencesSerializer(allow_null=True, help_text="null when nobody is signed in")


@extend_schema(responses=MeSerializer, tags=["accounts"])
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def me(request: Request) -> Response:
    """The reader's own part of every page: who they are, their progress and their CSRF token. Pages are
    one document for everyone; their script fills these in."""
    user = request.user
    body = {
        "user": None,
        "csrf_token": get_token(request),
        "completed": {},
        "faq_ratings": {},
        "messages": [{"level": m.level_tag, "text": str(m)} for m in get_messages(request)],
        "preferences": None,
    }
    if user.is_authenticated:
        body["user"] = {"username": user.get_username(), "is_staff": user.is_staff}
        done = LessonProgress.objects.filter(user=user).values_list("lesson__course__slug", "lesson__slug")
        for course, lesson in done:
            body["completed"].setdefault(course, []).append(lesson)
        ratings = FaqRating.objects.filter(user=user).values_list("entry__slug", "rating")
        body["faq_ratings"] = dict(ratings)
        chosen = Preferences.of(user)
        body["preferences"] = {"language": chosen.language, "theme": chosen.theme}
    response = Response(body)
    response["Cache-Control"] = "private, no-store"
    if user.is_authenticated and request.auth is None and not body["messages"]:
        keep_for(response, user.pk)  # a session's answer, given again as it is (core/readers.py)
    return response


class Credentials(serializers.Serializer):
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


TokenAnswer = inline_serializer("Token", {"token": serializers.CharField(),
                                          "expires": serializers.DateTimeField(allow_null=True)})  # fmt: skip


class TokenAccess(permissions.BasePermission):
    """Anyone may ask for a token; revoking one needs the caller to be signed in."""

    def has_permission(self, request: Request, view) -> bool:
        return request.method != "DELETE" or request.user.is_authenticated


@extend_schema(methods=["POST"], request=Credentials, tags=["accounts"], operation_id="token_create",
               responses={200: TokenAnswer, 429: OpenApiResponse(description="Log-ins paused after failures")})  # fmt: skip
@extend_schema(
    methods=["DELETE"], request=None, responses={204: None}, tags=["accounts"], operation_id="token_revoke"
)
@api_view(["POST", "DELETE"])
@parser_classes([JSONParser, FormParser, MultiPartParser])  # `curl -d` and `curl -F` work too
@permission_classes([TokenAccess])
def token(request: Request) -> Response:
    """POST: the learner's API token (`Authorization: Token <token>`). DELETE: revokes the caller's token."""
    if request.method == "DELETE":
        tokens_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
    body = Credentials(data=request.data)
    body.is_valid(raise_exception=True)
    user = authenticate(request, **body.validated_data)  # django-axes counts a failure, and may pause log-ins
    if getattr(request, "axes_locked_out", False):  # set by django-axes on the request it was given
        return locked_out(request)
    if user is None:
        raise UserError(_("Unable to log in with provided credentials."), code="authorization")
    found = token_create(user=user)
    return Response({"token": found.key, "expires": expires_at(found)})


@extend_schema(
    parameters=[
        OpenApiParameter("format", str, enum=["json", "csv"], description="csv: a zip of one CSV per table")
    ],
    responses={
        (200, "application/json"): OpenApiTypes.OBJECT,
        (200, "application/zip"): OpenApiTypes.BINARY,
    },
    tags=["accounts"],
    operation_id="me_data",
)
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def my_data(request: Request) -> HttpResponse:
    """Everything the platform holds about me: account, lessons completed, quiz attempts with every answer,
    grade and feedback, runs with settings, metrics and history, predictions, experiment submissions, FAQ
    ratings; one table each."""
    return data_download(request.user, request.query_params.get("format"))


class AccountDeleteBody(serializers.Serializer):
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


@extend_schema(request=AccountDeleteBody, responses={204: None}, tags=["accounts"], operation_id="me_delete")
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
def delete_me(request: Request) -> Response:
    """Deletes my account and everything in it, confirmed with my password (400 if it is not)."""
    body = AccountDeleteBody(data=request.data)
    body.is_valid(raise_exception=True)
    account_delete(user=request.user, password=body.validated_data["password"])
    return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(request=PreferencesSerializer, responses=PreferencesSerializer, tags=["accounts"])
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
def preferences(request: Request) -> Response:
    """Saves the learner's language and theme (either may be left out), kept on every device they use."""
    body = PreferencesSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    saved = preferences_set(user=request.user, **body.validated_data)
    return Response({"language": saved.language, "theme": saved.theme})
