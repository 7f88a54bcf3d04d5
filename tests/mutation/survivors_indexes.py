"""The mutation report's knowledge of the survivors in the index reads of large collections
(index_reads.py, backends/command_indexes.py), merged by tests/mutation/survivors.py: the test that
now kills each one, or why it is equivalent."""

KILLED_BY = {}
EQUIVALENT = {}
