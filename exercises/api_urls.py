from django.urls import path

from . import api

urlpatterns = [
    path("exercises/", api.exercise_list, name="api-exercises"),
    path("exercises/attempts/<int:pk>/", api.attempt, name="api-exercise-attempt"),
    path("exercises/<slug:slug>/", api.exercise_detail, name="api-exercise"),
    path("exercises/<slug:slug>/draft/", api.draft, name="api-exercise-draft"),
    path("exercises/<slug:slug>/attempts/", api.attempts, name="api-exercise-attempts"),
    path("exercises/<slug:slug>/train/", api.train, name="api-exercise-train"),
    path("exercises/<slug:slug>/solution/", api.solution, name="api-exercise-solution"),
]
