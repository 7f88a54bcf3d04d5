"""A stored record that doesn't parse: its admin page names it and verify_redis (in the admin's
layout, not a debug page); the change list shows the other records."""

from tests.hand_edits import plant_unparsable

from .conftest import make_client

JUNK = "client_junk"


def test_change_page_of_an_unparsable_record_names_it(rstore, superuser):
    make_client("Good One", email="good1@example.org")
    plant_unparsable(rstore, "clients", JUNK)
    response = superuser.get(f"/admin/clients/client/{JUNK}/change/")
    assert response.status_code == 500
    text = response.content.decode()
    assert 'id="storage-unparsable"' in text and JUNK in text and "verify_redis" in text
    assert "site-name" in text  # the admin's own layout

    listing = superuser.get("/admin/clients/client/")
    assert listing.status_code == 200 and "Good One" in listing.content.decode()
