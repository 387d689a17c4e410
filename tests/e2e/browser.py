"""Playwright driving the system Chromium (Debian's package) when there is one, else the browser Playwright installs."""

import shutil
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

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
