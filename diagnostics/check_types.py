"""What a health check is and what it returns: the shapes every check of the registry
(diagnostics/checks.py) shares."""

from dataclasses import asdict, dataclass, field

PASSED, WARNING, FAILED = "passed", "warning", "failed"


@dataclass
class Result:
    name: str
    status: str
    message: str
    critical: bool = False
    duration_ms: float = 0.0
    values: dict = field(default_factory=dict)
    title: str = ""  # what a person reads (the admin page); name is for programs and the command line

    def as_dict(self):
        data = asdict(self)
        data.pop("name")
        return data


class Check:
    name = "check"
    title = "Check"  # backend-neutral: the same checks run on Redis, Vercel KV and JSON files
    critical = False
    timeout = 3.0  # seconds

    def check(self):
        """(status, message, values); raising makes the check failed."""
        raise NotImplementedError
