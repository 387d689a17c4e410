"""Playwright driving the system Chromium (Debian's package) when there is one, else the browser Playwright installs."""

import shutil
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connections

ARTIFACTS = [Path(settings.VAR_DIR) / "test-artifacts", Path(settings.BASE_DIR) / "test-artifacts"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-gpu", "--no-first-run"]


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")  # None: the browser `playwright install chromium` put in place (tests/run.py)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def save_screenshot(page, name: str) -> None:
    for folder in ARTIFACTS:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / name), full_page=True)


def in_db_thread(fn):
    """Run ORM code beside Playwright's sync API (whose event loop makes Django refuse ORM calls in this thread)."""

    def run():
        try:
            return fn()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()
