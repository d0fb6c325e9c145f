"""Celery tasks: thin wrappers that take ids and call the runner or a service."""

from celery import shared_task
from django.conf import settings

from . import generation, runner, services


@shared_task(bind=True, max_retries=12, acks_late=True, reject_on_worker_lost=True)
def run_job(self, job_id: int) -> str:
    """Trains one job. A delivery that finds the job held by another run, or ended, does nothing: a job whose
    run was lost is queued again by the sweeper once its lease lapses (services.sweep_lost_jobs)."""
    hard, soft = self.request.timelimit or (None, None)
    try:
        return runner.run(job_id, time_limit=soft or hard, hostname=self.request.hostname or "")
    except runner.NotStarted:
        # The database could not write, or the lease of a job still queued is held (by a run that may have
        # died before starting): a moment later, once such a lease has lapsed.
        raise self.retry(countdown=max(5, settings.JOB_LEASE_S)) from None


@shared_task(acks_late=False, ignore_result=True)
def sweep_lost_jobs() -> list[int]:
    return services.sweep_lost_jobs()


@shared_task(acks_late=False)  # a lost worker's generation is not written again: the learner asks again
def generate_text(
    job_id: int, generation_id: str, params: dict, user_id: int, language: str | None = None
) -> str:
    """Continues a learner's prompt with the model a GPT run trained (trainer/generation.py)."""
    return generation.generation_run(job_id, generation_id, params, user_id, language)
