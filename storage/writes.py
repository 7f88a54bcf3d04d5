"""The write path of a collection: create / update / delete, one atomic script call each; the update
and delete scripts read what they need of the stored record themselves. Memory changes only after
the backend acknowledged (from the script's reply); a refused or failed write changes nothing.
Mixed into Collection (which provides backend, spec, cache, dependents, new_id, label, where)."""

import os
from dataclasses import replace
from datetime import UTC, datetime

from . import log
from .backends.base import Write
from .cache import epoch_ms, epoch_ms_of, parse
from .document import document, head
from .errors import CommandError, NotFound, ReferenceViolation, Unnormalised
from .keys import valid_id


def now_iso():
    return iso(datetime.now(UTC))


def iso(moment):
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def new_op_id():
    """A write's idempotency key: 128 random bits (what uuid4().hex gave, at a sixth of its cost)."""
    return os.urandom(16).hex()


class Writes:
    def create(self, fields, *, record_id=None, created_at=None, updated_at=None, version=None):
        """Store a new record. record_id / created_at / updated_at / version are for imports (a
        restored record keeps them); otherwise server-assigned (version 1)."""
        write, doc = self.create_write(
            fields, record_id=record_id, created_at=created_at, updated_at=updated_at, version=version
        )
        result = self._commit(write, "created")
        return self._written(write, doc, result, "created")

    def create_write(self, fields, *, record_id=None, created_at=None, updated_at=None, version=None):
        """(Write, document) of a create, not sent: create() commits it, bulk loaders batch it."""
        record_id = record_id or self.new_id()
        if not valid_id(record_id):
            raise ValueError(f"invalid record id {record_id!r}")
        moment = datetime.now(UTC)
        stamp = iso(moment)
        created = (created_at or stamp, int(version or 1), None if created_at else epoch_ms_of(moment))
        write = self.build_write("create", record_id, fields, updated_at=updated_at or stamp, created=created)
        return write, write.doc

    def update(self, record_id, fields, *, expected_version=None):
        """Replace the record's fields. With expected_version, a stale version is a conflict;
        without it, the latest version is updated (last writer wins, decided by the script)."""
        write = self.build_write("update", record_id, fields, expected_version=expected_version, updated_at=now_iso())
        result = self._commit(write, "updated")
        doc = document(write.head, result.record_version, result.created_at, write.updated_at)
        return self._written(write, doc, result, "updated")

    def delete(self, record_id, *, expected_version=None, cascade=False):
        """Delete the record; returns how many dependents went with it (cascade)."""
        write = self.build_write("delete", record_id, None, expected_version=expected_version, cascade=cascade)
        return self._written(write, None, self._commit(write, "deleted"), "deleted")

    def build_write(self, op, record_id, fields, *, expected_version=None, updated_at="", cascade=False, created=None):
        """The one builder of a Write. fields is None for a delete; created is a create's
        (created_at, version, its epoch ms or None), from which its whole text is built. The index entries carry the new
        values only: the script finds the old ones in the stored record."""
        if op != "create" and not valid_id(record_id):
            raise NotFound(self.name, record_id)
        values = fields or {}
        text = head(record_id, values) if fields is not None else ""
        spec = self.spec
        return Write(
            op=op,
            collection=self.name,
            record_id=record_id,
            op_id=new_op_id(),
            head=text,
            doc=document(text, created[1], created[0], updated_at) if created else "",
            created_ms=(epoch_ms(created[0]) if created[2] is None else created[2]) if created else 0,
            updated_at=updated_at,
            expected_version=expected_version,
            unique=tuple(
                [
                    (name, normalise(values.get(name)) or "", _text(values.get(name)))
                    for name, normalise in spec.unique.items()
                ]
            )
            if spec.unique
            else (),
            by=tuple([(name, values.get(name) or "") for name in spec.references]) if spec.references else (),
            refs=self._refs(values) if fields is not None and spec.references else (),
            dependents=self.dependents if op == "delete" else (),
            cascade=cascade,
            sorts=tuple(
                [
                    (name, epoch_ms(values[name]) if fields is not None and values.get(name) else None)
                    for name in spec.sorts
                ]
            )
            if spec.sorts
            else (),
        )

    def _commit(self, write, verb):
        """Send the write; when the script asks how a stored unique value normalises (one the
        script can't work out by itself), answer and send it again."""
        try:
            for _ in range(len(self.spec.unique) + 1):
                try:
                    return self.backend.write(write)
                except Unnormalised as asked:
                    norm = self.spec.unique[asked.field](asked.value) or ""
                    write = replace(write, normalised={**write.normalised, asked.field: (asked.value, norm)})
            raise CommandError(f"the {write.op} script kept asking for normalised values")
        except Exception as exc:
            if isinstance(exc, NotFound):
                self.cache.discard(write.record_id)
            log.error(
                f"Error: {self.label} {write.record_id} not {verb} ({type(exc).__name__}: {exc})",
                collection=self.name,
                id=write.record_id,
            )
            raise

    def _written(self, write, doc, result, verb):
        record = parse(doc) if doc is not None else None
        self.cache.written(write.record_id, record, result.collection_version)
        if log.enabled("success"):  # the message is built only when it is logged
            self._log_written(write, record, result, verb)
        return record if record is not None else result

    def _log_written(self, write, record, result, verb):
        title = record.get(self.spec.title_field, "") if record is not None and self.spec.title_field else ""
        suffix = f" - {title}" if title else ""
        extra = f" with {result.cascaded} dependent record(s)" if result.cascaded else ""
        log.success(
            f"{self.label} {verb} and saved to {self.where}: {write.record_id}{suffix}{extra}",
            collection=self.name,
            id=write.record_id,
            version=result.record_version,
        )

    def _refs(self, fields):
        refs = []
        for name, target in self.spec.references.items():
            value = fields.get(name) or ""
            if value and not valid_id(value):
                raise ReferenceViolation(self.name, name, value)
            refs.append((name, target, value))
        return tuple(refs)


def _text(value):
    return value if isinstance(value, str) else ""
