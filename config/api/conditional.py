"""ETags and preconditions. A record's ETag is its version, quoted: `"3"`. A list page's is weak,
the collection version read and a short hash of the normalised query and media type:
`W/"42:1f2e3d4c5b6a"` (any change to the collection moves it; the page itself may not have changed).

If-None-Match (GET) uses the weak comparison, If-Match (writes) the strong one (RFC 9110 13.1).
A malformed header is a 400, not a silent mismatch.
"""

import hashlib
import re

from rest_framework.exceptions import ParseError

from storage.errors import VersionConflict

ENTITY_TAG = r'(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"'
HEADER = re.compile(rf"^\s*(?:\*|{ENTITY_TAG}(?:\s*,\s*{ENTITY_TAG})*)\s*$")
TAG = re.compile(ENTITY_TAG)


def etag(version):
    return f'"{int(version)}"'


def normalised_query(request):
    """The path and its query parameters in a canonical order (the same page however written)."""
    params = sorted((k, v) for k in request.query_params for v in request.query_params.getlist(k))
    return (request.path, tuple(params))


def list_etag(version, query, media_type):
    digest = hashlib.blake2b(repr((query, media_type)).encode(), digest_size=6).hexdigest()
    return f'W/"{int(version or 0)}:{digest}"'


def parse(request, header):
    """The entity tags of a conditional header: None (absent), "*", or a list of (weak, opaque)."""
    value = request.headers.get(header)
    if value is None:
        return None
    if not HEADER.match(value):
        raise ParseError(f'{header} must be "*" or a list of entity tags such as "3" (got {value[:80]!r}).')
    if value.strip() == "*":
        return "*"
    return [(tag.startswith("W/"), tag.removeprefix("W/")) for tag in TAG.findall(value)]


def not_modified(request, tag):
    """True when the request's If-None-Match names `tag`, the current ETag (weak comparison)."""
    tags = parse(request, "If-None-Match")
    if tags is None:
        return False
    opaque = tag.removeprefix("W/")
    return tags == "*" or any(theirs == opaque for _weak, theirs in tags)


def require_match(request, collection, record_id, version):
    """Check If-Match against the current version; returns the expected version to hand to the
    atomic write (None when the request sent no If-Match, or "*"), or raises VersionConflict (412)."""
    tags = parse(request, "If-Match")
    if tags is None or tags == "*":
        return None
    if any(not weak and opaque == etag(version) for weak, opaque in tags):
        return version
    wanted = ", ".join(("W/" if weak else "") + opaque for weak, opaque in tags)
    raise VersionConflict(collection, record_id, wanted, version)
