from django.apps import AppConfig
from django.db.models.signals import post_migrate


def sqlite_write_ahead_log(using: str = "default", **kwargs) -> None:
    """SQLite in WAL mode, so the web server reads while the worker writes. The mode is kept in the database
    file, so setting it once, after migrating, does for every later connection."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        from . import workers  # noqa: F401  (connects the worker heartbeat signals)

        post_migrate.connect(sqlite_write_ahead_log)  # sent per app with models; the pragma is idempotent
