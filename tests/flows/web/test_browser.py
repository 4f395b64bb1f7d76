"""A real Chromium (Debian's chromium + chromium-driver, driven by Selenium) against `radar serve`:
Today and paper pages in both languages, math through KaTeX, a hostile abstract inert. Every page
is saved as a screenshot to tests/artifacts/screenshots/ (see README).

The browser is installed with apt-get when it is missing and the tests run as root. When it
cannot start, the tests fail if CI is set, and are skipped with the reason otherwise."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.flows.web.conftest import HOSTILE_ID, Server

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import (  # noqa: E402
    NoAlertPresentException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
DAY = "2024-11-28"


def missing_packages() -> list[str]:
    """Debian packages the browser tests want and the machine lacks (a CJK font, so that the
    Chinese screenshots show characters, not boxes)."""
    missing = [pkg for pkg, exe in (("chromium", "chromium"), ("chromium-driver", "chromedriver")) if not shutil.which(exe)]
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False) \
        if shutil.which("fc-list") else None
    if fonts is None or not fonts.stdout.strip():
        missing.append("fonts-noto-cjk")
    return missing


def install_chromium() -> str | None:
    """Install Debian's chromium and chromium-driver when missing and allowed; a reason when not."""
    missing = missing_packages()
    if not missing:
        return None
    can_install = hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")
    if not can_install:
        if shutil.which("chromium") and shutil.which("chromedriver"):
            return None  # only the font is missing: the Chinese screenshots show boxes, the tests still hold
        return "chromium/chromedriver are missing; install them: apt-get install -y chromium chromium-driver"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", *missing]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)
        if done.returncode:
            return f"{' '.join(command)} failed: {done.stderr[-500:]}"
    return None


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"the browser tests need Chromium (CI is set): {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    reason = install_chromium()
    if reason:
        unavailable(reason)
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1800", "--lang=en-US"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    try:
        driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(shutil.which("chromedriver")))
    except WebDriverException as exc:
        unavailable(f"Chromium did not start: {exc.msg}")
    driver.set_page_load_timeout(120)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def load(driver: webdriver.Chrome, url: str) -> None:
    driver.get(url)
    WebDriverWait(driver, 60).until(
        lambda d: d.execute_script("return document.documentElement.getAttribute('data-math')") == "rendered")


def set_language(driver: webdriver.Chrome, server: Server, language: str) -> None:
    driver.get(f"{server.url}/lang/{language}")


def test_today_and_paper_pages_render_math_in_both_languages(browser: webdriver.Chrome, server: Server) -> None:
    math_paper = "arxiv:2411.99901"  # its abstract carries $x^2 + y^2 = z^2$
    for language in ("en", "zh"):
        set_language(browser, server, language)
        load(browser, f"{server.url}/?day={DAY}")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == ("zh-CN" if language == "zh" else "en")
        assert len(browser.find_elements(By.CSS_SELECTOR, "li.paper")) == 100
        assert browser.find_elements(By.CSS_SELECTOR, ".katex"), "no math rendered on the Today page"
        browser.save_screenshot(str(SCREENSHOTS / f"today-{language}.png"))
        load(browser, f"{server.url}/paper/arxiv:2411.17766")
        browser.save_screenshot(str(SCREENSHOTS / f"paper-{language}.png"))
        load(browser, f"{server.url}/paper/{math_paper}")
        formulas = browser.find_elements(By.CSS_SELECTOR, ".abstract .katex")
        assert formulas and "x" in formulas[0].text
        load(browser, f"{server.url}/search?q=protein+structure")
        assert browser.find_elements(By.CSS_SELECTOR, ".snippet mark")
        browser.save_screenshot(str(SCREENSHOTS / f"search-{language}.png"))
    set_language(browser, server, "en")


def test_the_language_switch_turns_the_interface_chinese(browser: webdriver.Chrome, server: Server) -> None:
    set_language(browser, server, "en")
    load(browser, f"{server.url}/?day={DAY}")
    assert "Previous day" in browser.page_source or "Next day" in browser.page_source
    browser.find_element(By.CSS_SELECTOR, '.languages a[lang="zh-CN"]').click()
    WebDriverWait(browser, 60).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "今日" in body and "全部来源" in body and "2024年11月28日" in body
    assert "All sources" not in body and "Previous day" not in body
    load(browser, f"{server.url}/search")  # the choice sticks on the next page
    assert "搜索论文" in browser.find_element(By.TAG_NAME, "body").text
    set_language(browser, server, "en")


def test_a_hostile_abstract_executes_nothing_and_calls_no_other_origin(browser: webdriver.Chrome,
                                                                       server: Server) -> None:
    load(browser, f"{server.url}/paper/{HOSTILE_ID}")
    browser.save_screenshot(str(SCREENSHOTS / "hostile-en.png"))
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 - raises when no dialog is open
    assert browser.execute_script("return window.__pwned") is None
    assert not browser.find_elements(By.CSS_SELECTOR, "main script, main img, a[href^='javascript']")
    requested = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert requested and all(url.startswith(server.url) for url in requested), requested


def ranked_ids(driver: webdriver.Chrome) -> list[str]:
    return [li.get_attribute("data-paper") for li in driver.find_elements(By.CSS_SELECTOR, "li.paper[data-paper]")]


def test_starring_a_paper_changes_its_profiles_ranking(browser: webdriver.Chrome, server: Server) -> None:
    set_language(browser, server, "en")
    load(browser, f"{server.url}/profiles")
    form = browser.find_element(By.CSS_SELECTOR, "section.new-profile form")
    form.find_element(By.NAME, "name").send_keys("browser-star")
    form.find_element(By.NAME, "description").send_keys("Reinforcement learning for robot control")
    form.find_element(By.NAME, "include_revised").click()
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 60).until(lambda d: d.current_url.endswith("/profiles/browser-star"))
    load(browser, f"{server.url}/?profile=browser-star&day={DAY}")
    before = ranked_ids(browser)
    assert 2 <= len(before) <= 25  # the papers that clear the digest's relevance floor, at most 25
    starred = before[-1]
    browser.find_element(By.CSS_SELECTOR, f'li.paper[data-paper="{starred}"] button.star').click()
    # the star posts and the page reloads: elements read mid-navigation go stale, so read again
    WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: ranked_ids(d) and starred not in ranked_ids(d))
    after = ranked_ids(browser)
    assert after != before and 0 < len(after) <= 25  # the star is a seed now, not news, and the order moved
    assert "Ranked with 1 starred and 0 dismissed papers." in browser.page_source
    browser.save_screenshot(str(SCREENSHOTS / "profile-tab-en.png"))
    load(browser, f"{server.url}/profiles")
    assert browser.find_elements(By.ID, "profile-browser-star")
    browser.save_screenshot(str(SCREENSHOTS / "profiles-en.png"))
    set_language(browser, server, "zh")
    load(browser, f"{server.url}/profiles")
    assert "兴趣档案" in browser.find_element(By.TAG_NAME, "body").text
    browser.save_screenshot(str(SCREENSHOTS / "profiles-zh.png"))
    load(browser, f"{server.url}/?profile=browser-star&day={DAY}")
    assert "收藏" in browser.find_element(By.TAG_NAME, "body").text
    browser.save_screenshot(str(SCREENSHOTS / "profile-tab-zh.png"))
    set_language(browser, server, "en")


def test_a_brief_job_runs_to_completion_and_its_citations_open_paper_pages(browser: webdriver.Chrome,
                                                                           server: Server) -> None:
    set_language(browser, server, "zh")
    load(browser, f"{server.url}/briefs")
    browser.save_screenshot(str(SCREENSHOTS / "briefs-zh.png"))
    set_language(browser, server, "en")
    load(browser, f"{server.url}/briefs")
    browser.find_element(By.CSS_SELECTOR, '.brief-form input[name="topic"]').send_keys(
        "protein structure prediction with deep learning")
    browser.find_element(By.CSS_SELECTOR, ".brief-form button[type=submit]").click()
    WebDriverWait(browser, 60).until(lambda d: "/briefs/jobs/" in d.current_url)
    browser.save_screenshot(str(SCREENSHOTS / "brief-job-en.png"))
    job_url = browser.current_url
    # jobs.js polls the job and opens the brief when it is done (the job's process loads the model first)
    WebDriverWait(browser, 600).until(lambda d: re.search(r"/briefs/[0-9a-f]{12}$", d.current_url))
    WebDriverWait(browser, 60).until(
        lambda d: d.execute_script("return document.documentElement.getAttribute('data-math')") == "rendered")
    browser.save_screenshot(str(SCREENSHOTS / "brief-en.png"))
    brief_url = browser.current_url
    cites = browser.find_elements(By.CSS_SELECTOR, "a.cite")
    assert cites and all("/paper/" in c.get_attribute("href") for c in cites)
    target = cites[0].get_attribute("href")
    cites[0].click()
    WebDriverWait(browser, 60).until(lambda d: d.current_url == target)
    assert browser.find_element(By.CSS_SELECTOR, ".paper-page h1").text
    set_language(browser, server, "zh")
    load(browser, brief_url)
    assert "来源" in browser.find_element(By.TAG_NAME, "body").text
    browser.save_screenshot(str(SCREENSHOTS / "brief-zh.png"))
    load(browser, job_url)
    assert "已完成" in browser.find_element(By.TAG_NAME, "body").text
    browser.save_screenshot(str(SCREENSHOTS / "brief-job-zh.png"))
    set_language(browser, server, "en")
