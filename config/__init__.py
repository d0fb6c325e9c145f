"""The project package (the design card's `platform`; a package of that name would shadow Python's own
`platform` module). Importing it loads the Celery app so that tasks bind to it."""

from .celery import app as celery_app

__all__ = ("celery_app",)
