"""The mutation report's knowledge of the survivors in the collection and what it serves from
(collection.py, results.py, snapshot.py, served.py), merged by tests/mutation/survivors.py: the test
that now kills each one, or why it is equivalent."""

KILLED_BY = {}
EQUIVALENT = {}
