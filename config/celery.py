"""The Celery app. Workers consume the `cpu` queue, GPU workers the `gpu` queue (and `cpu` too, so
`device=auto` jobs use a GPU whenever one picks them up)."""

import logging
import multiprocessing
import os
import time

from celery import Celery, bootsteps
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# torch.cuda.is_available() asks NVML, which leaves CUDA uninitialised: a forked child can still use the GPU.
os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
log = logging.getLogger(__name__)


class HandBackUnacknowledged(bootsteps.StartStopStep):
    """At each connection to Redis (the first, and every one after a lost connection), hands back to the queue the
    jobs that were delivered before it and never acknowledged.

    kombu hands a lost connection's unfinished jobs back the moment the connection drops, which fails while Redis
    is down (restarting): they would then wait in Redis's `unacked` hash for the whole visibility timeout (an
    hour). A job handed back that is in fact still running (here or on another worker) is delivered again, finds
    the run's claim taken and retries for a while (trainer.tasks.run_job), then is skipped or given up: never a
    second run."""

    requires = {"celery.worker.consumer.connection:Connection"}

    def start(self, c) -> None:
        channel = c.connection.default_channel
        qos = channel.qos
        with channel.conn_or_acquire() as client:
            tags = client.zrangebyscore(qos.unacked_index_key, 0, time.time())
            for tag in tags:
                qos.restore_by_tag(tag, client)
        if tags:
            log.warning("Handed back %d unacknowledged job message(s) to the queue.", len(tags))


app.steps["consumer"].add(HandBackUnacknowledged)


@worker_init.connect
def warm_up_torch(sender, **kwargs) -> None:
    """Import PyTorch (and the optimizer machinery it loads lazily, which takes seconds) and run one step of
    each lab once in the worker's parent, so forked children start jobs at once and at full speed. Then time each
    lab (a few seconds) and store the timings, from which the web estimates a run's duration before it queues it.

    Not so on a worker of the `gpu` queue: where PyTorch sees a GPU, an optimizer's step initialises CUDA, which a
    forked child cannot use. Its parent times the labs in a fresh (spawned) process, and each child builds its
    own kernels at its first job."""
    import django
    import redis
    import torch._dynamo  # noqa: F401

    from trainer.labs import warm_up

    if "gpu" in sender.app.amqp.queues.consume_from:
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            timings = pool.apply(warm_up)
    else:
        timings = warm_up()
    django.setup()
    from trainer import budget

    try:
        budget.store(timings)
    except redis.RedisError:
        pass  # verify_services_at_start says what is wrong, in one line


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
