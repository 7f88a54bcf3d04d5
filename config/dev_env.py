"""`make run` leaves a development .env (DEBUG=true, a generated SECRET_KEY) when there is none, so
that every command of the README runs as written afterwards. An existing .env is never changed;
.env is git-ignored, so the key is never committed."""

import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TEMPLATE = """\
# Written by `make run` for development (never commit it; .env.example documents every variable).
DEBUG=true
SECRET_KEY={key}
"""


def write_dev_env(path):
    """Create the development .env at path unless a file is already there; True if written."""
    path = Path(path)
    if path.exists():
        return False
    path.write_text(TEMPLATE.format(key=secrets.token_urlsafe(50)))
    path.chmod(0o600)
    return True


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / ".env"
    if write_dev_env(target):
        print(f"Wrote a development {target.name} (DEBUG=true, a generated SECRET_KEY)")
