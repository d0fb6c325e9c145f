"""The ASGI entry point: pages and the API through Django, the live event streams of training jobs through
trainer/events.py, and the documents Django rendered once (core/documents.py) and each reader's `/api/me/` (core/readers.py)
served again without entering Django (uvicorn)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

django_application = get_asgi_application()  # sets Django up: the import below needs its models

from core.documents import DocumentFront  # noqa: E402
from core.limits import BodyLimit  # noqa: E402
from core.readers import ReaderFront  # noqa: E402
from trainer.events import with_event_streams  # noqa: E402

application = BodyLimit(with_event_streams(ReaderFront(DocumentFront(django_application))))

if os.environ.get("VERIFY_SERVICES", "1") == "1":
    from core.startup import verify_services_outside_the_event_loop

    verify_services_outside_the_event_loop()
