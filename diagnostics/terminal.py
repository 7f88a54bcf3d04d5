"""Terminal output for the diagnostic commands: the emoji vocabulary on a terminal, plain words
when the output is not a TTY or NO_COLOR is set."""

import json
import os

EMOJI = {"passed": "✅", "warning": "⚠️ ", "failed": "❌", "info": "🔎", "fixed": "🔧"}
PLAIN = {"passed": "[PASS]", "warning": "[WARN]", "failed": "[FAIL]", "info": "[INFO]", "fixed": "[FIX]"}


def styled(stream):
    return bool(getattr(stream, "isatty", lambda: False)()) and not os.environ.get("NO_COLOR")


class Printer:
    def __init__(self, stream):
        self.stream = stream
        self.symbols = EMOJI if styled(stream) else PLAIN

    def mark(self, status):
        return self.symbols.get(status, self.symbols["info"])

    def line(self, text="", status=None, indent=0):
        prefix = f"{self.mark(status)} " if status else ""
        self.stream.write(f"{'  ' * indent}{prefix}{text}\n")


def write_json(stream, data):
    stream.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
