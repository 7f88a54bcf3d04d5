"""The backends: one per kind of store (redis, rest, jsonfile), on the contract of base.py."""
