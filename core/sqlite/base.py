"""SQLite whose connections are kept and reused, as PostgreSQL's are by its pool.

Under ASGI each request runs in a thread of its own and Django keeps connections per thread, so every request
opened the database afresh: the file, forty functions registered, the schema read again on the first query
(≈ 0.5 ms, as much as a lesson page's queries). Here a closed connection goes back to a pool of its process
and the next connect takes it. One thread uses a connection at a time: it is in the pool or in one thread's
hands, never both.
"""

import os
import threading
from collections import defaultdict

from django.db.backends.sqlite3 import base

KEPT = 32  # idle connections kept per database file; more are closed
_idle: defaultdict[str, list] = defaultdict(list)
_lock = threading.Lock()
_forked: list = []


def _drop_inherited() -> None:
    """Connections must not cross a fork. A child keeps the ones it inherited referenced but never uses
    them: closing them there could checkpoint and delete the parent's write-ahead log. (The child has one
    thread: it takes no lock, and makes a new one in case the fork caught another thread holding it.)"""
    global _lock
    _forked.extend(c for pool in _idle.values() for c in pool)
    _idle.clear()
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_drop_inherited)


class DatabaseWrapper(base.DatabaseWrapper):
    def _pool(self) -> list:
        """The idle connections to this database file (call with the lock held)."""
        return _idle[str(self.settings_dict["NAME"])]

    def get_new_connection(self, conn_params):
        with _lock:
            if pool := self._pool():
                return pool.pop()
        return super().get_new_connection(conn_params)

    def _close(self) -> None:
        connection = self.connection
        if connection is None or self.in_atomic_block or self.is_in_memory_db():
            return super()._close()  # held by an atomic block that will roll back on it: really closed
        with self.wrap_database_errors:
            if connection.in_transaction:
                connection.rollback()
        with _lock:
            if len(pool := self._pool()) < KEPT:
                pool.append(connection)
                return None
        return super()._close()
