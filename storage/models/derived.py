"""Values derived from a whole collection in one pass, for the admin's columns and filters (how many
sessions each client has, client names by id): memoised while the collection is unchanged, and read
chunk by chunk when the collection is served from its index. Mixed into StorageQuerySet."""

from . import indexed
from .memo import memo


class DerivedValues:
    def counts_by(self, field_name):
        """{stored value of `field_name`: number of records} in one pass (memoised while the
        collection is unchanged), e.g. how many sessions each client has."""
        attname = self._resolve(field_name).attname

        def compute(records):
            counts = {}
            for record in records:
                value = record.get(attname)
                counts[value] = counts.get(value, 0) + 1
            return counts

        return self._derived(("counts", attname), compute)

    def value_map(self, field_name):
        """{pk: stored value of `field_name`} in one pass (memoised while the collection is unchanged)."""
        attname = self._resolve(field_name).attname
        return self._derived(("values", attname), lambda records: {r["id"]: r.get(attname) for r in records})

    def _derived(self, key, compute):
        if self._window != (0, None):
            raise TypeError("Cannot derive values from a sliced query.")
        if self._indexed(whole=True):  # too large for memory: read chunk by chunk, keep the mapping
            return indexed.derived(self, self.model.storage(), key, compute)
        snapshot, records = self._filtered()
        if self._where is not None:
            return compute(records)
        return memo.get((self.model.Storage.collection, *key), (snapshot,), lambda: compute(records))
