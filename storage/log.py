"""The log vocabulary: ✅ success, ❌ error, ⚠️ warning, 🔄 retry.

Every storage event goes through these four functions, so the symbols, the JSON format
(LOG_FORMAT=json) and the plain format (LOG_EMOJI=false) are decided in one place.
"""

import json
import logging

logger = logging.getLogger("storage")

SYMBOLS = {"success": "✅", "error": "❌", "warning": "⚠️", "retry": "🔄"}
LEVELS = {"success": logging.INFO, "error": logging.ERROR, "warning": logging.WARNING, "retry": logging.WARNING}


def _emit(kind, message, critical=False, **fields):
    level = logging.CRITICAL if critical else LEVELS[kind]
    logger.log(level, message, extra={"event": kind, "fields": fields})


def enabled(kind):
    """Whether events of this kind are logged: a caller on a hot path builds its message only then."""
    return logger.isEnabledFor(LEVELS[kind])


def success(message, **fields):
    _emit("success", message, **fields)


def error(message, critical=False, **fields):
    _emit("error", message, critical=critical, **fields)


def warning(message, **fields):
    _emit("warning", message, **fields)


def retry(message, **fields):
    _emit("retry", message, **fields)


class EmojiFormatter(logging.Formatter):
    """Prefixes each storage event with its symbol (unless emoji=False)."""

    def __init__(self, *args, emoji=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.emoji = emoji

    def format(self, record):
        text = super().format(record)
        symbol = SYMBOLS.get(getattr(record, "event", ""), "")
        if self.emoji and symbol:
            return f"{symbol} {text}"
        return text


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, event, message and the event's fields."""

    def format(self, record):
        line = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "event", None):
            line["event"] = record.event
            line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)
