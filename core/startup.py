"""Start-up checks: a web server or worker that cannot reach its database or Redis stops at once, with one
line naming the setting and the problem, instead of failing later with a traceback on the first request."""

import logging
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

import redis
from django.conf import settings
from django.db import connection
from django.utils import translation


def safe_url(url: str) -> str:
    """The URL without its password, fit to print."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def problems() -> list[str]:
    found = []
    # A connection pool retries in the background and logs each try; the one line below says it all.
    logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL)
    try:
        connection.ensure_connection()
    except Exception as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        found.append(f"DATABASE_URL: cannot connect to {safe_url(settings.DATABASE_URL)} ({reason})")
    finally:
        connection.close()
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as error:
        found.append(f"REDIS_URL: cannot connect to {safe_url(settings.REDIS_URL)} ({error})")
    else:
        from .keys import key_problem

        with translation.override(None):
            problem = key_problem(redis.Redis.from_url(settings.REDIS_URL, decode_responses=True))
        if problem:
            found.append(problem)
    return found


def verify_services() -> None:
    found = problems()
    logging.getLogger("psycopg.pool").setLevel(logging.NOTSET)
    if found:
        raise SystemExit("Configuration error: " + "; ".join(found))


def verify_services_outside_the_event_loop() -> None:
    """verify_services() for the ASGI application's import. `uvicorn --workers N` (compose's web service)
    imports the application inside each child's running event loop, where Django refuses database access
    (SynchronousOnlyOperation: every child crashed at start); a single process imports it before its loop
    starts. The check runs in a thread of its own either way, and its SystemExit is raised here."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="verify-services") as pool:
        pool.submit(verify_services).result()
