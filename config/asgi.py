"""The ASGI entry point: pages and the API through Django, the live event streams of training jobs through
trainer/events.py, and the documents Django rendered once (core/documents.py) and each reader's `/api/me/` (core/readers.py)
served again without entering Django. Served by granian (config/launch.py `web_server`)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

django_application = get_asgi_application()  # sets Django up: the import below needs its models

from django.conf import settings  # noqa: E402

from classes.wall import with_wall_streams  # noqa: E402
from core.documents import DocumentFront, code_version  # noqa: E402
from core.limits import BodyLimit  # noqa: E402
from core.readers import ReaderFront  # noqa: E402
from trainer.events import with_event_streams  # noqa: E402

code_version()  # the source tree's digest, read once at start rather than during the first page
if settings.PAGES_FRONT:
    application = BodyLimit(
        with_wall_streams(
            with_event_streams(
                ReaderFront(DocumentFront(django_application, settings.PAGES_FRONT_MIB * 2**20))
            )
        )
    )
else:
    application = BodyLimit(with_wall_streams(with_event_streams(django_application)))

if os.environ.get("VERIFY_SERVICES", "1") == "1":
    from core.startup import verify_services_outside_the_event_loop

    verify_services_outside_the_event_loop()
