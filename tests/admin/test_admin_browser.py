"""The admin in a real browser: Debian's headless Chromium driven by Selenium through Debian's
chromium-driver (never a browser download), against a live server on real Redis.

Skipped with a clear reason when chromium / chromium-driver / selenium are missing; with
REQUIRE_BROWSER=1 (CI) they fail instead. A screenshot of each main page is saved under
$ADMIN_SCREENSHOTS_DIR (default: <temp dir>/admin-screenshots), never committed; a failed test
leaves failed-<test name>.png there too (the page as it was when the test failed).
"""

import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from clients.models import Client
from sessions_app.models import Session

from .conftest import make_client, make_session

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
SHOTS = Path(os.environ.get("ADMIN_SCREENSHOTS_DIR") or Path(tempfile.gettempdir()) / "admin-screenshots")

try:
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # reported by need_browser()
    webdriver = None


def need_browser():
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.path.exists(path)]
    if webdriver is None:
        missing.append("the selenium package")
    if missing:
        reason = (
            f"browser tests need Debian's chromium and chromium-driver and selenium; missing: {', '.join(missing)} "
            "(apt-get install -y chromium chromium-driver)"
        )
        if REQUIRE_BROWSER:
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def driver():
    need_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.implicitly_wait(0)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield browser
    browser.quit()


@pytest.fixture(autouse=True)
def screenshot_on_failure(request):
    """After a failed test that used the browser: the page as it was, kept as a test artifact."""
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and "driver" in request.fixturenames:
        browser = request.getfixturevalue("driver")
        SHOTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SHOTS / f"failed-{request.node.name}.png"))


@pytest.fixture
def site(driver, live_server, redis_store, transactional_db, settings):
    """A live server on real Redis, and the browser logged in as a superuser through the login form."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # plain http on localhost
    User.objects.create_superuser("boss", password="pw-boss-1234")
    driver.delete_all_cookies()
    driver.get(f"{live_server.url}/admin/login/")
    driver.find_element(By.ID, "id_username").send_keys("boss")
    site = Site(driver, live_server.url)
    site.submit(lambda: driver.find_element(By.ID, "id_password").send_keys("pw-boss-1234", Keys.ENTER))
    wait_for(driver, By.ID, "user-tools")  # only shown once logged in
    return site


class Site:
    def __init__(self, driver, url):
        self.driver, self.url = driver, url

    def open(self, path):
        self.driver.get(self.url + path)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def text(self):
        return self.find("body").text

    def shot(self, name):
        self.driver.save_screenshot(str(SHOTS / f"{name}.png"))

    def submit(self, action):
        """Run an action that submits a form and wait until the next page has replaced this one."""
        self.driver.execute_script("window.leavingThisPage = true;")
        action()
        WebDriverWait(self.driver, 10, ignored_exceptions=(WebDriverException,)).until(
            lambda d: d.execute_script("return !window.leavingThisPage && document.readyState === 'complete'")
        )

    def save(self):
        self.submit(self.find('input[name="_save"]').click)


def wait_for(driver, by, value, timeout=10):
    return WebDriverWait(driver, timeout).until(EC.presence_of_element_located((by, value)))


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
    option = WebDriverWait(site.driver, 10).until(
        EC.element_to_be_clickable((By.XPATH, "//li[contains(@class,'select2-results__option') and .='Jeanne Dupont']"))
    )
    site.shot("04-session-add-autocomplete")
    option.click()
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


def test_open_the_storage_diagnostics_page_and_repair_with_confirmation(site, redis_server, prefix):
    make_client("Ann")
    ghost = "client_01HZZZZZZZZZZZZZZZZZZZZZZZ"
    redis_server.client().zadd(f"{{{prefix}}}:clients:index", {ghost: 1})  # an index entry without a record

    site.open("/admin/")
    site.submit(site.find("#content-main .app-diagnostics a[href='/admin/diagnostics/storage/']").click)
    assert "Storage backend answers" in site.text() and "Memory cache agrees with storage" in site.text()
    assert ghost in site.text()  # the verify report names the problem's id
    site.shot("10-storage-diagnostics")

    site.submit(site.driver.find_element(By.LINK_TEXT, "Repair…").click)
    assert "This repair would do the following" in site.text()
    site.shot("11-storage-repair-confirmation")
    site.submit(site.find('input[value="Yes, repair"]').click)
    assert "Storage is now consistent." in site.text()
    site.shot("12-storage-repair-result")
    assert redis_server.client().zscore(f"{{{prefix}}}:clients:index", ghost) is None


def contrast(site, css):
    """WCAG contrast ratio of an element's text colour against the background it is drawn on."""
    return site.driver.execute_script(
        """
        const el = document.querySelector(arguments[0]);
        const rgb = c => c.match(/[\\d.]+/g).slice(0, 4).map(Number);
        let node = el, bg = null;
        while (node && node.nodeType === 1) {
            const c = rgb(getComputedStyle(node).backgroundColor);
            if (c.length < 4 || c[3] > 0) { bg = c; break; }
            node = node.parentElement;
        }
        bg = bg || [255, 255, 255];
        const channel = x => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
        const lum = c => { const v = c.slice(0, 3).map(channel);
                           return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
        const a = lum(rgb(getComputedStyle(el).color)), b = lum(bg);
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        """,
        css,
    )


def test_storage_page_is_readable_and_reachable_from_the_sidebar(site):
    make_session(make_client("Ann"), "Visit", starts_at=datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    site.open("/admin/clients/client/")
    link = site.find("#nav-sidebar #nav-storage a[href='/admin/diagnostics/storage/']")
    site.submit(link.click)
    assert site.find("h1").text == "Storage diagnostics"
    assert site.find("#nav-sidebar #nav-storage .current-model")  # the sidebar shows where we are
    text = site.text()
    site.shot("13-storage-page-readable")

    assert site.find("#health-status").text.lower() in ("healthy", "degraded")
    assert contrast(site, "#health-status") >= 4.5  # WCAG AA for normal text
    for cell in site.driver.find_elements(By.CSS_SELECTOR, "#health td.diag-status"):
        assert site.driver.execute_script("return arguments[0].getBoundingClientRect().height", cell) > 0
    assert contrast(site, "#health td.diag-status") >= 4.5
    for name in ("redis_available", "data_in_redis", "cache_coherence"):
        assert name not in text  # human names on the page (the machine names are in the tooltips)
    assert "Stored data readable" in text
    assert "--repair" not in text
    assert "delete orphans" not in text  # no orphans, no such button
    assert "2026-12-01T10:00" not in text and "Dec. 1, 2026, 10 a.m." in text  # as the admin shows dates
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text)


def test_storage_page_offers_to_delete_orphans_only_when_there_are_some(site, redis_server, prefix):
    ann = make_client("Ann")
    make_session(ann, "Orphan")
    redis_server.client().delete(f"{{{prefix}}}:clients:{ann.pk}")  # the session's client is gone
    site.open("/admin/diagnostics/storage/")
    assert site.driver.find_elements(By.LINK_TEXT, "Repair and delete orphans…")
    row = site.find("#problems .problem-dangling_reference")
    assert "Repair and delete orphans" in row.text and "--" not in row.text
    site.shot("14-storage-page-orphans")


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
