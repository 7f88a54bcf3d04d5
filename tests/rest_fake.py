"""A fake Upstash REST API for the REST backend's client tests: httpx.MockTransport answering
queued responses, and the backend built on it."""

import base64
import json

import httpx

from storage.backends.rest import RestBackend

TOKEN = "secret-token-0123456789"
URL = "https://example-kv.upstash.io"


def b64(text):
    return base64.b64encode(text.encode()).decode()


class FakeApi:
    """Records each request; answers with the queued responses (or a callable)."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []

    def __call__(self, request):
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer

    def bodies(self):
        return [json.loads(r.content) for r in self.requests]


def make(api, url=URL):
    return RestBackend(url, TOKEN, "p", transport=httpx.MockTransport(api))
