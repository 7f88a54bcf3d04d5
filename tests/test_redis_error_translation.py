"""Every redis-py failure becomes the storage error its handling needs (storage/backends/redis.py):
transient ones are retried, a credential refusal is a configuration error (never retried), other
replies are command errors; what is not a Redis failure passes through untouched."""

import pytest
import redis
from redis import exceptions

from storage.backends.redis import translated_errors
from storage.errors import CommandError, ConfigurationError, TransientError

CASES = [
    (redis.AuthenticationError("invalid password"), ConfigurationError),
    (redis.ConnectionError("Connection refused"), TransientError),
    (redis.TimeoutError("Timeout reading from socket"), TransientError),
    (ConnectionResetError("reset by peer"), TransientError),
    (exceptions.ClusterDownError("CLUSTERDOWN The cluster is down"), TransientError),
    (exceptions.RedisClusterException("no node could be reached"), TransientError),
    (exceptions.ReadOnlyError("You can't write against a read only replica."), TransientError),
    (exceptions.TryAgainError("Multiple keys request during rehashing of slot"), TransientError),
    (redis.ResponseError("LOADING Redis is loading the dataset in memory"), TransientError),
    (redis.ResponseError("BUSY Redis is busy running a script"), TransientError),
    (redis.ResponseError("WRONGPASS invalid username-password pair"), ConfigurationError),
    (redis.ResponseError("NOPERM this user has no permissions to run the 'evalsha' command"), ConfigurationError),
    (redis.ResponseError("ERR wrong number of arguments"), CommandError),
    (exceptions.DataError("Invalid input of type: 'dict'"), CommandError),
]


@pytest.mark.parametrize(("raised", "expected"), CASES, ids=[type(c[0]).__name__ + ":" + str(c[0])[:12] for c in CASES])
def test_each_redis_failure_becomes_its_storage_error(raised, expected):
    with pytest.raises(expected) as caught:
        with translated_errors():
            raise raised
    assert caught.value.__cause__ is raised
    assert type(caught.value) is expected  # not a subclass: each is handled differently


def test_other_exceptions_and_success_pass_through():
    with pytest.raises(KeyError):
        with translated_errors():
            raise KeyError("not a Redis failure")
    with translated_errors():
        value = 1
    assert value == 1
