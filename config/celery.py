"""The Celery app. Workers consume the `cpu` queue, GPU workers the `gpu` queue (and `cpu` too, so
`device=auto` jobs use a GPU whenever one picks them up); every worker consumes `maintenance` as well, where the
lost-job sweeper runs, so that no backlog of training jobs stands in front of it.

Only Celery's public settings and signals: late acknowledgement, rejection when a pool child is lost, a
visibility timeout longer than any job (config/settings.py). The job table and each job's lease in Redis decide
who runs a job (trainer/runner.py); the broker only delivers messages, and a duplicate does nothing."""

import json
import logging
import multiprocessing
import os
import socket
import time

from celery import Celery
from celery.beat import PersistentScheduler
from celery.signals import worker_init, worker_ready, worker_shutting_down

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# torch.cuda.is_available() asks NVML, which leaves CUDA uninitialised: a forked child can still use the GPU.
os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
log = logging.getLogger(__name__)

BEAT_LOCK = "beat:lock"
BEAT_TICK = "beat:tick"
BEAT_LOCK_TTL = 30  # seconds: a beat that stopped without a word is replaced by a waiting one after this

RENEW_LOCK = (
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('EXPIRE', KEYS[1], ARGV[2]) end return 0"
)


class LockedScheduler(PersistentScheduler):
    """Celery's own scheduler, run by one beat at a time: a second beat waits for the lock (saying so once)
    and takes over when the first stops; a beat that finds its lock taken (it was paused past its lifetime)
    exits rather than tick beside another. Each tick is recorded for /healthz."""

    def setup_schedule(self) -> None:
        from core import redis_clients

        self.token = f"{socket.gethostname()}:{os.getpid()}"
        client = redis_clients.patient_client()
        said = False
        while not client.set(BEAT_LOCK, self.token, nx=True, ex=BEAT_LOCK_TTL):
            if not said:
                log.warning("Another beat holds the lock (%s): this one waits, and takes over if it stops.",
                            client.get(BEAT_LOCK))  # fmt: skip
                said = True
            time.sleep(BEAT_LOCK_TTL / 6)
        log.info("This beat (%s) holds the lock: it is the one that schedules.", self.token)
        self.app.conf.beat_schedule = schedule()
        super().setup_schedule()

    def tick(self, *args, **kwargs) -> float:
        import redis

        from core import redis_clients

        try:
            client = redis_clients.client()
            renewed = client.eval(RENEW_LOCK, 1, BEAT_LOCK, self.token, BEAT_LOCK_TTL)
            # Gone without another holder (Redis restarted without it): this beat takes it again.
            if not renewed and not client.set(BEAT_LOCK, self.token, nx=True, ex=BEAT_LOCK_TTL):
                log.error("This beat (%s) lost its lock to %s: it stops, so that only one beat schedules.",
                          self.token, client.get(BEAT_LOCK))  # fmt: skip
                raise SystemExit(1)
            client.set(BEAT_TICK, json.dumps({"at": time.time(), "beat": self.token}), ex=24 * 3600)
        except redis.RedisError as error:  # Redis restarting: the lock outlives a short outage
            log.warning("The beat could not renew its lock (%s)", error)
        return min(super().tick(*args, **kwargs), self.max_interval)


@worker_init.connect
def warm_up_torch(sender, **kwargs) -> None:
    """Import PyTorch and run one step of each lab once in the worker's parent, so forked children start jobs
    at once and at full speed. Then time each lab (a few seconds) and store the timings, from which the web
    estimates a run's duration before it queues it.

    Not so on a worker of the `gpu` queue: where PyTorch sees a GPU, an optimizer's step initialises CUDA, which a
    forked child cannot use. Its parent times the labs in a fresh (spawned) process, and each child builds its
    own kernels at its first job."""
    import django
    import redis

    from trainer.labs import warm_up

    if os.environ.get("WORKER_WARM_UP") == "0":  # a test's extra worker: start at once, time nothing
        return
    if set(sender.app.amqp.queues.consume_from) in ({"sandbox"}, {"code-runs"}, {"talk"}):
        return  # it checks or trains with learners' code (costs of their own), or writes: no lab is timed here
    from core.workers import PACE

    PACE.probe()  # the machine's pace while the labs are timed: their costs are kept as at rest
    if "gpu" in sender.app.amqp.queues.consume_from:
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            timings = pool.apply(warm_up)
    else:
        timings = warm_up()
    slowdown = PACE.probe()
    django.setup()
    from trainer import budget

    try:
        budget.store(timings, slowdown=slowdown)
    except redis.RedisError:
        pass  # verify_services_at_start says what is wrong, in one line


@worker_init.connect
def verify_services_at_start(**kwargs) -> None:
    """A worker that cannot reach the database or Redis says so in one line and stops."""
    import django

    django.setup()
    from core.startup import verify_services

    verify_services()


@worker_ready.connect
def forget_an_earlier_stop(sender, **kwargs) -> None:
    """A worker started again under the same name must not hand back its new jobs at once."""
    from core import redis_clients
    from trainer.streams import stopping_key

    redis_clients.client().delete(stopping_key(sender.hostname))


@worker_shutting_down.connect
def hand_back_running_jobs(sender, **kwargs) -> None:
    """SIGTERM (a deploy, `docker stop`): Celery's warm shutdown waits for the running jobs to end, which
    may take many minutes. Instead each of this worker's runs sees the flag at its next report (within a
    second), hands its job back to the queue with its checkpoint, and ends; another worker continues it."""
    import redis
    from django.conf import settings

    from trainer.streams import stopping_key

    try:  # a connection of its own: this runs in a signal handler, which must not wait for a pool's lock
        with redis.Redis.from_url(settings.REDIS_URL, socket_timeout=3, socket_connect_timeout=3) as client:
            client.set(stopping_key(sender), "1", ex=600)
    except Exception:  # Redis unreachable: the runs end as they would have; their leases lapse if killed
        log.warning("could not ask this worker's runs to hand their jobs back", exc_info=True)


def schedule() -> dict:
    """The beat's entries, read from the settings when the beat starts: never when this module is imported,
    since `make run` imports it before it has chosen its Redis and its key (config/launch.py), and settings
    read then would keep the wrong ones."""
    from django.conf import settings

    every = float(settings.JOB_SWEEP_EVERY_S)
    roster_every = settings.LTI_ROSTER_SYNC_EVERY_S / 4
    return {
        # Queues again the jobs whose worker was lost (lease lapsed), so that another continues them.
        "sweep-lost-jobs": {
            "task": "trainer.tasks.sweep_lost_jobs",
            "schedule": every,
            "options": {"queue": "maintenance", "expires": 2 * every},  # one sweep waiting is enough
        },
        # Sends again the scores an LMS has not yet taken (lti/tasks.py): none is lost to a lost message.
        "lti-resend-scores": {
            "task": "lti.tasks.resend_waiting_scores",
            "schedule": float(settings.LTI_RESEND_EVERY_S),
            "options": {"queue": "maintenance", "expires": float(settings.LTI_RESEND_EVERY_S)},
        },
        # Reads again the LMS rosters older than LTI_ROSTER_SYNC_EVERY_S; looked for four times as often, so
        # that no course waits much longer than that.
        "lti-sync-rosters": {
            "task": "lti.tasks.sync_stale_rosters",
            "schedule": roster_every,
            "options": {"queue": "maintenance", "expires": roster_every},
        },
    }
