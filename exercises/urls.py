from django.urls import path

from . import views

urlpatterns = [
    path("exercises/", views.exercise_index, name="exercises"),
    path("exercises/<slug:slug>/", views.exercise_page, name="exercise"),
]
