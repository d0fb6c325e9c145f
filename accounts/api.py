from django.contrib.messages import get_messages
from django.middleware.csrf import get_token
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from lessons.models import FaqRating, LessonProgress


class ReaderSerializer(serializers.Serializer):
    username = serializers.CharField()
    is_staff = serializers.BooleanField()


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
    }
    if user.is_authenticated:
        body["user"] = {"username": user.get_username(), "is_staff": user.is_staff}
        done = LessonProgress.objects.filter(user=user).values_list("lesson__course__slug", "lesson__slug")
        for course, lesson in done:
            body["completed"].setdefault(course, []).append(lesson)
        ratings = FaqRating.objects.filter(user=user).values_list("entry__slug", "rating")
        body["faq_ratings"] = dict(ratings)
    response = Response(body)
    response["Cache-Control"] = "private, no-store"
    return response
