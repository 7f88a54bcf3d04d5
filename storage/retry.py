"""The one retry policy: at most 3 attempts in all, progressive delay, transient errors only."""

import random

import backoff

from . import log
from .errors import StorageUnavailable, TransientError

MAX_ATTEMPTS = 3
DELAYS = (0.1, 0.3)  # seconds before the 2nd and the 3rd attempt


def _delays():
    # backoff primes the generator with send(None) and throws that first value away: without this
    # placeholder the first wait would be the 0.3 s one and the second an unjittered 0.3 s.
    yield None
    for delay in DELAYS:
        yield delay * random.uniform(0.8, 1.2)  # jitter, so processes don't retry in lockstep
    while True:  # not reached with MAX_ATTEMPTS = 3 (backoff gives up first)
        yield DELAYS[-1]


def _operation(details):
    """What was attempted, for the log: the method and, when there is one, the command name."""
    args = details.get("args") or ()
    name = details["target"].__name__
    if len(args) > 1 and isinstance(args[1], str):
        name = f"{name} {args[1]}"
    return name


def _log_retry(details):
    log.retry(
        f"Retrying {_operation(details)} (attempt {details['tries'] + 1}/{MAX_ATTEMPTS}) after: {details['exception']}",
        attempt=details["tries"] + 1,
    )


def _log_giveup(details):
    log.error(f"Giving up {_operation(details)} after {details['tries']} attempts: {details['exception']}")


def with_retry(func):
    """Call func again on TransientError, then turn the last failure into StorageUnavailable.

    The first attempt runs outside backoff (its machinery costs about 5 µs a call, a sixth of a
    local GET); once it fails, backoff runs the policy from that failure on: the same attempts,
    waits and log lines as if it had made the first attempt itself."""

    def call(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except TransientError as exc:
            first = [exc]

        def attempt(*args, **kwargs):
            if first:
                raise first.pop()  # attempt 1, already made
            return func(*args, **kwargs)

        attempt.__name__ = func.__name__
        retried = backoff.on_exception(
            _delays,
            TransientError,
            max_tries=MAX_ATTEMPTS,
            on_backoff=_log_retry,
            on_giveup=_log_giveup,
            jitter=None,
            logger=None,
        )(attempt)
        try:
            return retried(*args, **kwargs)
        except TransientError as exc:
            raise StorageUnavailable(str(exc)) from exc

    call.__name__ = func.__name__
    call.__doc__ = func.__doc__
    return call
