"""The admin in a real browser (tests/admin/browser.py): creating, editing, deleting, searching and
sorting records, Redis down, tags; the Storage page has its own file."""

from clients.models import Client
from sessions_app.models import Session

from .browser import EC, By, Keys, WebDriverWait, wait_for
from .conftest import make_client, make_session


def test_create_a_client_then_a_session_choosing_it_with_the_autocomplete(site):
    assert "Clients" in site.text() and "Sessions" in site.text()
    site.shot("01-index")

    site.open("/admin/clients/client/add/")
    site.find("#id_name").send_keys("Jeanne Dupont")
    site.find("#id_email").send_keys("jeanne@example.com")
    site.shot("02-client-add")
    site.save()
    assert "was added successfully" in site.text()
    site.shot("03-client-list")
    (jeanne,) = Client.objects.all()

    site.open("/admin/sessions_app/session/add/")
    site.find("#id_title").send_keys("First visit")
    site.find("#id_starts_at_0").send_keys("2026-12-01")
    site.find("#id_starts_at_1").send_keys("10:00:00")
    site.find(".field-client .select2-selection").click()
    site.find(".select2-search__field").send_keys("jea")
    jeanne_option = "//li[contains(@class,'select2-results__option') and .='Jeanne Dupont']"
    WebDriverWait(site.driver, 10).until(EC.element_to_be_clickable((By.XPATH, jeanne_option)))
    site.shot("04-session-add-autocomplete")
    site.click(jeanne_option)
    site.save()
    assert "was added successfully" in site.text()
    site.shot("05-session-list")
    (session,) = Session.objects.all()
    assert (session.title, session.client_id) == ("First visit", jeanne.pk)


def test_a_stale_edit_is_refused_and_shows_the_current_values(site):
    ann = make_client("Ann", phone="0100")
    site.open(f"/admin/clients/client/{ann.pk}/change/")
    other = Client.objects.get(pk=ann.pk)  # someone else saves while the page is open
    other.phone = "0200"
    other.save()
    phone = site.find("#id_phone")
    phone.clear()
    phone.send_keys("0300")
    site.save()
    assert "was changed by someone else since you opened it" in site.text()
    assert site.find("#id_phone").get_attribute("value") == "0200"
    site.shot("06-client-stale-edit")
    assert Client.objects.get(pk=ann.pk).phone == "0200"


def test_search_then_delete_a_client_and_its_sessions_after_confirmation(site):
    jeanne = make_client("Jeanne Dupont")
    make_client("Paul Martin")
    make_session(jeanne, "Visit 1")
    make_session(jeanne, "Visit 2")
    site.open("/admin/clients/client/")
    site.find("#searchbar").send_keys("jeanne", Keys.ENTER)
    wait_for(site.driver, By.CSS_SELECTOR, "#toolbar .quiet")  # "(2 total)" shown by a search
    rows = site.driver.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")
    assert [r.find_element(By.CSS_SELECTOR, "th a").text for r in rows] == ["Jeanne Dupont"]
    site.shot("07-client-search")

    rows[0].find_element(By.CSS_SELECTOR, "th a").click()
    wait_for(site.driver, By.CSS_SELECTOR, "a.deletelink")
    assert site.find("#client-sessions-link").text.upper() == "SESSIONS (2)"
    site.shot("08-client-change")
    site.find("a.deletelink").click()
    wait_for(site.driver, By.ID, "storage-cascade")
    assert "This client has 2 sessions" in site.text()
    site.find("#id_cascade").click()
    site.shot("09-client-delete-confirmation")
    site.find('form input[type="submit"]').click()
    wait_for(site.driver, By.CSS_SELECTOR, "ul.messagelist")
    assert "was deleted successfully" in site.text()
    assert [c.name for c in Client.objects.all()] == ["Paul Martin"]
    assert Session.objects.count() == 0


def test_redis_down_shows_a_clear_page_inside_the_admin_and_keeps_what_was_typed(
    site, own_redis_server, prefix, use_store
):
    from tests.conftest import make_backend

    use_store(make_backend("redis", prefix, redis_server=own_redis_server, socket_timeout=0.5, connect_timeout=0.5))
    ann = make_client("Ann")
    site.open(f"/admin/clients/client/{ann.pk}/change/")
    site.find("#id_phone").send_keys("0612")
    own_redis_server.stop()
    site.save()
    assert "Storage is unavailable" in site.find("#storage-unavailable").text
    assert site.find("#site-name").text == "Django administration"
    typed = site.find("#storage-typed").text
    assert "phone 0612" in typed and "name Ann" in typed
    site.shot("10-storage-unavailable-change")

    site.open("/admin/clients/client/add/")  # the add page needs no storage until it saves
    site.find("#id_name").send_keys("Typed while down")
    site.save()
    assert "nothing was saved" in site.text()
    assert site.find("#id_name").get_attribute("value") == "Typed while down"
    site.shot("11-storage-unavailable-add")


def test_tags_are_typed_as_comma_separated_words(site):
    site.open("/admin/clients/client/add/")
    site.find("#id_name").send_keys("Tagged")
    site.find("#id_tags").send_keys("vip, gold")
    help_text = site.find("#id_tags_helptext").text
    assert "Comma-separated" in help_text
    site.shot("15-client-tags")
    site.save()
    assert "was added successfully" in site.text()
    (tagged,) = Client.objects.filter(name="Tagged")
    assert tagged.tags == ["vip", "gold"]
    site.open(f"/admin/clients/client/{tagged.pk}/change/")
    assert site.find("#id_tags").get_attribute("value") == "vip, gold"


def test_client_list_sorts_names_as_a_person_reads_them(site):
    for name in ("Zoé", "Émilie", "Bruno", "Béatrice", "Éloïse"):
        make_client(name)
    site.open("/admin/clients/client/")
    names = [a.text for a in site.driver.find_elements(By.CSS_SELECTOR, "#result_list tbody th a")]
    assert names == ["Béatrice", "Bruno", "Éloïse", "Émilie", "Zoé"]
    site.shot("16-client-list-sorted")
