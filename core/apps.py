from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        from . import workers  # noqa: F401  (connects the worker heartbeat signals)
