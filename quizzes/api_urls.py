from django.urls import path

import core.converters  # noqa: F401  (the <id:...> converter)

from . import api

urlpatterns = [
    path("quizzes/", api.quizzes, name="api-quizzes"),
    path("quizzes/<slug:slug>/", api.quiz, name="api-quiz"),
    path("quizzes/<slug:slug>/attempts/", api.submit, name="api-quiz-submit"),
    path("attempts/", api.attempts, name="api-attempts"),
    path("attempts/<id:attempt_id>/", api.attempt, name="api-attempt"),
    path("attempts/<id:attempt_id>/rate/", api.rate, name="api-attempt-rate"),
]
