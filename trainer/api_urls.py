from django.urls import path

from . import api

urlpatterns = [
    path("labs/", api.labs, name="api-labs"),
    path("labs/<slug:slug>/estimate/", api.estimate, name="api-lab-estimate"),
    path("jobs/", api.jobs, name="api-jobs"),
    path("jobs/<int:job_id>/", api.job, name="api-job"),
    path("jobs/<int:job_id>/cancel/", api.cancel, name="api-job-cancel"),
    path("jobs/<int:job_id>/metrics.csv", api.metrics_csv, name="api-job-metrics"),
    path("jobs/<int:job_id>/weights", api.weights, name="api-job-weights"),
    path("jobs/<int:job_id>/generate/", api.generate, name="api-job-generate"),
]
