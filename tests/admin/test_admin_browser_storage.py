"""The Storage diagnostics page in a real browser (tests/admin/browser.py): repair with
confirmation, readability (contrast of every status), the sidebar link, orphans."""

import re
from datetime import UTC, datetime

from tests.paged_edits import add_entry, entry_score

from .browser import By
from .conftest import make_client, make_session


def test_open_the_storage_diagnostics_page_and_repair_with_confirmation(site, redis_server, prefix):
    make_client("Ann")
    ghost = "client_01HZZZZZZZZZZZZZZZZZZZZZZZ"
    add_entry(
        redis_server.client(), f"{{{prefix}}}:clients:order:created_at", ghost, 1
    )  # an index entry without a record

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
    assert entry_score(redis_server.client(), f"{{{prefix}}}:clients:order:created_at", ghost) is None


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
    site.submit(site.driver.find_element(By.LINK_TEXT, "Repair…").click)  # a repair that keeps the orphan
    actions = site.find("#actions").text
    assert "Leave it as it is" in actions and "“Repair and delete orphans” deletes it" in actions
    assert "--" not in site.text()
    site.shot("15-storage-repair-keeps-orphans")
