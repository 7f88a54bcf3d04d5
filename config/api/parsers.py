"""DRF's JSON parser, with deeply nested documents refused (400) instead of crashing (500): the
json module raises RecursionError, not ValueError, past Python's recursion limit."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
