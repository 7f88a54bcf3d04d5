"""A fixed-window rate limit whose counters live in the backend (so every process shares them).

    limit = RateLimit("login-ip", limit=10, window=900)
    limit.blocked(subject)   # -> seconds to wait (> 0) once `subject` reached the limit, else 0
    limit.count(subject)     # counts one event of `subject`

Subjects (a user name, an address) are hashed into the counter name: no user input reaches a key
or a file name, whatever its characters or length.
"""

import hashlib
import re

from storage.store import get_store

SCOPE_PATTERN = re.compile(r"^[a-z0-9-]{1,32}$")


class RateLimit:
    def __init__(self, scope, *, limit, window):
        if not SCOPE_PATTERN.fullmatch(scope):
            raise ValueError(f"invalid rate-limit scope {scope!r}")
        if limit < 1 or window < 1:
            raise ValueError("a rate limit needs limit >= 1 and window >= 1 second")
        self.scope, self.limit, self.window = scope, int(limit), int(window)

    def name(self, subject):
        digest = hashlib.sha256(str(subject).encode("utf-8", "surrogatepass")).hexdigest()[:40]
        return f"{self.scope}:{digest}"

    def blocked(self, subject, backend=None):
        count, left = (backend or get_store().backend).hits(self.name(subject))
        return max(left, 1) if count >= self.limit else 0

    def count(self, subject, backend=None):
        """Count one event; returns the number counted in the current window."""
        count, _ = (backend or get_store().backend).hit(self.name(subject), self.window)
        return count
