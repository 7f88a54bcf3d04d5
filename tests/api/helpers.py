"""Small helpers of the REST API tests."""


def post_json(http, url, data, **kwargs):
    return http.post(url, data, content_type="application/json", **kwargs)


def new_client(http, **fields):
    response = post_json(http, "/api/clients/", {"name": "Jeanne Dupont", **fields})
    assert response.status_code == 201, response.content
    return response.json()


def new_session(http, client_id, **fields):
    body = {"client_id": client_id, "title": "Intro", "starts_at": "2026-12-01T10:00:00Z", **fields}
    response = post_json(http, "/api/sessions/", body)
    assert response.status_code == 201, response.content
    return response.json()
