"""SQLite connections kept per process (core.sqlite): reused, never shared, never carried across a fork."""

import os

import pytest
from django.db import connection

from core.sqlite.base import DatabaseWrapper

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend only"),
]


@pytest.fixture
def wrapper(tmp_path):
    """New Django connections to a database file of this test's own, as new threads make them."""
    settings = {**connection.settings_dict, "NAME": str(tmp_path / "pool.sqlite3")}
    return lambda: DatabaseWrapper(settings)


def test_a_closed_connection_is_taken_by_the_next_connect(wrapper):
    first = wrapper()
    first.ensure_connection()
    kept = first.connection
    first.close()
    second = wrapper()
    second.ensure_connection()
    assert second.connection is kept
    with second.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_transaction_left_open_is_rolled_back_before_the_next_user(wrapper):
    first = wrapper()
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x INTEGER)")
    first.connection.execute("BEGIN")
    first.connection.execute("INSERT INTO t VALUES (1)")
    first.close()
    second = wrapper()
    with second.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM t")
        assert cursor.fetchone() == (0,)


def test_a_connection_closed_inside_an_atomic_block_is_not_handed_on(wrapper):
    first = wrapper()
    first.ensure_connection()
    held = first.connection
    first.in_atomic_block = True  # as transaction.atomic leaves it; Django keeps the connection to roll back
    first.close()
    second = wrapper()
    second.ensure_connection()
    assert second.connection is not held


def test_a_forked_child_opens_its_own(wrapper):
    first = wrapper()
    first.ensure_connection()
    kept = first.connection
    first.close()
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child: report whether it got the parent's connection, and leave at once
        second = wrapper()
        second.ensure_connection()
        os.write(write, b"inherited" if second.connection is kept else b"own")
        os._exit(0)
    os.close(write)
    assert os.read(read, 16) == b"own"
    os.waitpid(child, 0)
    again = wrapper()
    again.ensure_connection()
    assert again.connection is kept  # the parent's pool is untouched
