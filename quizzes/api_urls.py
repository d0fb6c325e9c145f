from django.urls import path

from . import api

urlpatterns = [
    path("quizzes/", api.quizzes, name="api-quizzes"),
    path("quizzes/<slug:slug>/", api.quiz, name="api-quiz"),
    path("quizzes/<slug:slug>/attempts/", api.submit, name="api-quiz-submit"),
    path("attempts/", api.attempts, name="api-attempts"),
    path("attempts/<int:attempt_id>/", api.attempt, name="api-attempt"),
    path("attempts/<int:attempt_id>/rate/", api.rate, name="api-attempt-rate"),
]
