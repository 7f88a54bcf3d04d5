"""Columns computed in memory from another collection (the admin's session counts, client names)."""


class MappedValue:
    """An annotation computed in memory: `build()` returns a mapping (built once per evaluation,
    e.g. counts from one pass over another collection) and each record's value is
    mapping.get(record[key], default). Listed instances get it as an attribute; order_by accepts it."""

    def __init__(self, key, build, default=None):
        self.key, self.build, self.default = key, build, default


class MappedGetter:
    def __init__(self, mapping, attname, default):
        self.mapping, self.attname, self.default = mapping, attname, default

    def __call__(self, record):
        return self.mapping.get(record.get(self.attname), self.default)
