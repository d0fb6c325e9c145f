from django.urls import path

import core.converters  # noqa: F401  (the <id:...> converter)

from . import api

urlpatterns = [
    path("labs/", api.labs, name="api-labs"),
    path("labs/<slug:slug>/estimate/", api.estimate, name="api-lab-estimate"),
    path("jobs/", api.jobs, name="api-jobs"),
    path("jobs/<id:job_id>/", api.job, name="api-job"),
    path("jobs/<id:job_id>/cancel/", api.cancel, name="api-job-cancel"),
    path("jobs/<id:job_id>/metrics.csv", api.metrics_csv, name="api-job-metrics"),
    path("jobs/<id:job_id>/weights", api.weights, name="api-job-weights"),
    path("jobs/<id:job_id>/generate/", api.generate, name="api-job-generate"),
]
