from django.urls import path

from . import api

urlpatterns = [
    path("experiments/", api.experiments, name="api-experiments"),
    path("experiments/<slug:slug>/", api.experiment, name="api-experiment"),
    path("experiments/<slug:slug>/prediction/", api.prediction, name="api-experiment-prediction"),
    path("experiments/<slug:slug>/submissions/", api.submissions, name="api-experiment-submissions"),
]
