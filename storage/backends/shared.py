"""What more than one backend needs: the Redis replies that announce a passing state, and URLs
with their credentials masked for messages."""

from urllib.parse import urlsplit, urlunsplit

# Replies of a server that is loading, busy, failing over or read-only for a moment: retried.
TRANSIENT_REPLIES = ("LOADING", "BUSY", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "READONLY")
# Replies refusing the credentials (or what they may run): a configuration problem, never retried.
CREDENTIAL_REPLIES = ("NOAUTH", "WRONGPASS", "NOPERM")


def mask_url(url):
    """The URL with its password (or token-like user info) replaced by ***. Works on the
    multi-host form redis+sentinel://user:password@host1:26379,host2:26379/service too."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if "@" not in parts.netloc:
        return url
    userinfo, hosts = parts.netloc.rsplit("@", 1)
    user, has_password, _ = userinfo.partition(":")
    userinfo = f"{user}:***" if has_password else "***"
    return urlunsplit((parts.scheme, f"{userinfo}@{hosts}", parts.path, parts.query, parts.fragment))
