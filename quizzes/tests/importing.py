"""Uploading a question bank in the admin as an author does, and running the queued import as the worker does
(quizzes.tasks.import_bank, called in this process: the same code, without a broker)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from quizzes.models import ImportJob, ImportStatus, Quiz
from quizzes.tasks import import_bank


def run_queued_imports() -> None:
    for pk in ImportJob.objects.filter(status=ImportStatus.QUEUED).values_list("pk", flat=True):
        import_bank(pk)


def upload(client, quiz: Quiz, content: str | bytes, *, name: str = "bank.gift", **data):
    """Posts the file, runs the import it queued, and returns the import's page (or the form, refused)."""
    raw = content.encode() if isinstance(content, str) else content
    posted = client.post(
        f"/admin/quizzes/quiz/{quiz.pk}/import/",
        {"file": SimpleUploadedFile(name, raw), "language": "en", **data},
    )
    if posted.status_code != 302:
        return posted
    run_queued_imports()
    return client.get(posted.url)
