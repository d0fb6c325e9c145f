from django.urls import path

from . import views

urlpatterns = [
    path("quizzes/<slug:slug>/", views.quiz, name="quiz"),
    path("quizzes/<slug:slug>/stats/", views.stats, name="quiz_stats"),
]
