"""Single commands on one connection a standalone or Sentinel backend keeps for itself.

redis-py checks a connection out of its pool for every command and back in after it: a lock, a
poll of the socket for stray data, and per-call instrumentation, which on a loopback cost about as
much as Redis running a whole write script. A backend sends its single commands (reads, write
scripts) on a connection it took from the pool once, whenever no other thread of the process is
using it; a thread that finds it busy goes through the pool, as before. Pipelines always go through
the pool.

What the pool's checkout guards against is kept: a reply is read whole, or (any failure but an
error reply) the connection, which redis-py has closed, is given back, and the next command checks
one out (connected afresh, to the current master under Sentinel); an idle connection is checked
with a PING before use (health_check_interval). A process forked from this one takes a connection of its own
(the parent's socket is never used).
"""

import os
import threading

import redis


class HeldConnection:
    def __init__(self, client):
        self.client = client
        self.lock = threading.Lock()
        self.connection = None
        self.pid = None

    def execute(self, *args):
        """What client.execute_command(*args) answers, reply callback included."""
        if not self.lock.acquire(blocking=False):
            return self.client.execute_command(*args)  # another thread holds it: the pool
        try:
            connection = self._connection()
            try:
                connection.send_command(*args)
                reply = connection.read_response()
            except redis.ResponseError:
                raise  # an error reply, read whole: the connection is still in step
            except BaseException:
                self._drop(connection)
                raise
        finally:
            self.lock.release()
        callback = self.client.response_callbacks.get(args[0])
        return callback(reply) if callback is not None else reply

    def _connection(self):
        if self.connection is None or self.pid != os.getpid():
            self.connection = self.client.connection_pool.get_connection()
            self.pid = os.getpid()
        return self.connection

    def _drop(self, connection):
        """After a failure: given back, so the next command takes a connection the pool checks (and
        that a Sentinel pool points at the current master). A failure while sending or reading has
        already closed it (redis-py's Connection does), so no half-read reply stays on it."""
        self.client.connection_pool.release(connection)
        self.connection = None

    def release(self):
        """Give the connection back to the pool (the backend closes)."""
        with self.lock:
            if self.connection is not None:  # a forked child's pool ignores its parent's connection
                self.client.connection_pool.release(self.connection)
            self.connection = None
