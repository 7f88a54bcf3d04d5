"""Form-encoded and JSON bodies give the same defaults; every bad query parameter of a list (its
filters and the page's limit / offset) is reported in one 400."""

import pytest


@pytest.fixture
def rest_only(redis_store, make_user, as_user):
    from .conftest import ALL_PERMS

    return as_user(make_user("editor", ALL_PERMS))


def test_form_encoded_create_gets_the_same_defaults_as_json(rest_only):
    form = rest_only.post("/api/clients/", {"name": "Form", "email": "form@example.org"})
    assert form.status_code == 201, form.content
    as_json = rest_only.post(
        "/api/clients/", {"name": "Json", "email": "json@example.org"}, content_type="application/json"
    )
    assert as_json.status_code == 201
    for field in ("is_active", "tags", "phone", "notes"):
        assert form.json()[field] == as_json.json()[field], field
    assert form.json()["is_active"] is True


def test_form_encoded_false_is_still_false(rest_only):
    response = rest_only.post("/api/clients/", {"name": "Off", "email": "off@example.org", "is_active": "false"})
    assert response.status_code == 201 and response.json()["is_active"] is False


def test_form_encoded_patch_leaves_absent_fields_alone(rest_only):
    created = rest_only.post("/api/clients/", {"name": "P", "email": "p@example.org"}).json()
    from django.test.client import encode_multipart

    body = encode_multipart("BoUnDaRy", {"name": "Q"})
    response = rest_only.patch(
        f"/api/clients/{created['id']}/", body, content_type="multipart/form-data; boundary=BoUnDaRy"
    )
    assert response.status_code == 200 and response.json()["is_active"] is True


@pytest.mark.parametrize(
    ("url", "names"),
    [
        (
            "/api/clients/?ordering=email&limit=0&is_active=maybe&offset=-1",
            {"ordering", "is_active", "limit", "offset"},
        ),
        ("/api/sessions/?status=nope&starts_after=yesterday&limit=501", {"status", "starts_after", "limit"}),
        ("/api/clients/?limit=x", {"limit"}),
    ],
)
def test_every_query_error_comes_back_at_once(rest_only, url, names):
    response = rest_only.get(url)
    assert response.status_code == 400
    assert set(response.json()) == names
