"""One SECRET_KEY for every node. A node started with another key cannot read what the others signed (every
learner it serves is signed out, with no error anywhere): it finds out at start and in /healthz.

The first node to look leaves a value signed with its key in Redis. Every node checks it with SECRET_KEY and
SECRET_KEY_FALLBACKS; a node that verifies it only with a fallback (a rotation under way) signs it again with
its new key, so a node left with the old key alone is then named.
"""

from __future__ import annotations

import redis
from django.core import signing
from django.utils.translation import gettext as _

from . import redis_clients

MARK = "platform:secret-key-mark"
SALT = "core.keys.mark"


def key_problem(client: redis.Redis | None = None) -> str | None:
    """None when this node's key reads what the other nodes sign; otherwise what is wrong, in one line."""
    client = client or redis_clients.client()
    mark = client.get(MARK)
    if mark is None:
        client.set(MARK, signing.dumps("platform", salt=SALT), nx=True)
        return None
    try:
        signing.loads(mark, salt=SALT)
    except signing.BadSignature:
        return _(
            "SECRET_KEY differs from the key the other nodes sign with: learners this node serves are signed "
            "out. Give every node the same SECRET_KEY (to change it, put the old one in SECRET_KEY_FALLBACKS "
            "on every node first)."
        )
    try:
        signing.loads(mark, salt=SALT, fallback_keys=[])
    except signing.BadSignature:
        client.set(MARK, signing.dumps("platform", salt=SALT))  # verified by a fallback: the rotation goes on
    return None
