"""The Celery app. Workers consume the `cpu` queue, GPU workers the `gpu` queue (and `cpu` too, so
`device=auto` jobs use a GPU whenever one picks them up)."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def warm_up_torch(**kwargs) -> None:
    """Import PyTorch (and the optimizer machinery it loads lazily, ~2 s) and run one step of each lab (~2 s)
    once in the worker's parent, so forked children start jobs at once and at full speed. This touches no
    GPU: CUDA is initialised inside a task only."""
    import torch._dynamo  # noqa: F401

    from trainer.labs import warm_up

    warm_up()


@worker_init.connect
def verify_services_at_start(**kwargs) -> None:
    """A worker that cannot reach the database or Redis says so in one line and stops."""
    import django

    django.setup()
    from core.startup import verify_services

    verify_services()


app.conf.beat_schedule = {
    # Ends jobs whose worker died without a word (SIGKILL, lost machine) so none stays "running" forever.
    "sweep-lost-jobs": {"task": "trainer.tasks.sweep_lost_jobs", "schedule": 15.0},
}
