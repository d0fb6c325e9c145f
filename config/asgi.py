"""The ASGI entry point: pages, the API and the live event streams of training jobs (uvicorn)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_asgi_application()

if os.environ.get("VERIFY_SERVICES", "1") == "1":
    from core.startup import verify_services

    verify_services()
