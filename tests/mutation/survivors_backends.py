"""The mutation report's knowledge of the survivors in the Redis and REST backends (redis.py,
rest.py, commands.py), merged by tests/mutation/survivors.py: the test that now kills each one, or
why it is equivalent."""

KILLED_BY = {}
EQUIVALENT = {}
