from django.urls import path, re_path

from . import views

urlpatterns = [
    path("quizzes/<slug:slug>/", views.quiz, name="quiz"),
    re_path(
        r"^quizzes/images/(?P<digest>[0-9a-f]{64})\.(?P<extension>png|jpg|gif|webp)$",
        views.image,
        name="question_image",
    ),
    path("quizzes/<slug:slug>/stats/", views.stats, name="quiz_stats"),
]
