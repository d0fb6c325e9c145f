"""Celery tasks: thin wrappers that take ids and call the runner or a service."""

from celery import shared_task

from . import generation, runner, services


@shared_task(bind=True, max_retries=12, acks_late=True, reject_on_worker_lost=True)
def run_job(self, job_id: int) -> str:
    """Trains one job. A duplicate delivery while another run still holds the job waits and retries; once
    that run's claim lapses (its worker was lost) this delivery starts a fresh attempt."""
    hard, soft = self.request.timelimit or (None, None)
    try:
        return runner.run(job_id, time_limit=soft or hard)
    except runner.Busy:
        raise self.retry(countdown=5) from None


@shared_task
def sweep_lost_jobs() -> list[int]:
    return services.sweep_lost_jobs()


@shared_task(acks_late=False)  # a lost worker's generation is not written again: the learner asks again
def generate_text(
    job_id: int, generation_id: str, params: dict, user_id: int, language: str | None = None
) -> str:
    """Continues a learner's prompt with the model a GPT run trained (trainer/generation.py)."""
    return generation.generation_run(job_id, generation_id, params, user_id, language)
