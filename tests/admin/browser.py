"""Browser-test helpers: Debian's headless Chromium driven by Selenium through Debian's
chromium-driver (never a browser download). Skipped with a clear reason when chromium /
chromium-driver / selenium are missing; with REQUIRE_BROWSER=1 (CI) they fail instead. Screenshots go
under $ADMIN_SCREENSHOTS_DIR (default: <temp dir>/admin-screenshots), never committed; a failed
browser test leaves failed-<test name>.png there (the page as it was when the test failed).
"""

import os
import tempfile
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
SHOTS = Path(os.environ.get("ADMIN_SCREENSHOTS_DIR") or Path(tempfile.gettempdir()) / "admin-screenshots")

try:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
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


def start_driver():
    need_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.implicitly_wait(0)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return browser


def log_in(driver, url):
    """The browser logged in as the superuser boss (pw-boss-1234) through the login form."""
    driver.delete_all_cookies()
    driver.get(f"{url}/admin/login/")
    driver.find_element(By.ID, "id_username").send_keys("boss")
    site = Site(driver, url)
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

    def click(self, xpath, timeout=10):
        """Click the element at xpath once it is clickable, finding it again if a script replaced it
        in between (select2 redraws its results as each keystroke's answer arrives)."""

        def clicked(driver):
            EC.element_to_be_clickable((By.XPATH, xpath))(driver).click()
            return True

        WebDriverWait(self.driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(clicked)

    def save(self):
        self.submit(self.find('input[name="_save"]').click)


def wait_for(driver, by, value, timeout=10):
    return WebDriverWait(driver, timeout).until(EC.presence_of_element_located((by, value)))
