"""Headless Chromium for the browser checks: Debian's package driven by Playwright.

Shared by ``lab_widgets.py`` (sliders in JupyterLab) and ``site_check.py`` (the built
site). Playwright is pinned in requirements.txt; the browser is Debian's ``chromium``
package, so no download from Playwright's CDN is needed.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright
except ImportError:  # reported by missing()
    PlaywrightError = RuntimeError
    sync_playwright = None

DEFAULT_BROWSER = "/usr/bin/chromium"


def missing(browser: str) -> str | None:
    """What is missing to drive ``browser``, as the command that installs it, or None.

    Parameters
    ----------
    browser : str
        Chromium executable; '' for Playwright's own build.

    Returns
    -------
    str or None
    """
    if sync_playwright is None:
        return "Playwright is missing: .venv/bin/pip install -r requirements.txt"
    if browser and not Path(browser).exists():
        found = shutil.which("chromium")
        hint = f" (there is one at {found}: pass --browser {found})" if found else ""
        return (f"no browser at {browser}{hint}: apt-get install -y chromium, or pass "
                "--browser '' after '.venv/bin/playwright install chromium'")
    return None


def launch(playwright: object, browser: str, headed: bool = False) -> object:
    """Start Chromium.

    Parameters
    ----------
    playwright : playwright.sync_api.Playwright
    browser : str
        Executable path; '' for Playwright's own build.
    headed : bool
        Show the window.

    Returns
    -------
    playwright.sync_api.Browser
    """
    options = {"headless": not headed}
    if browser:
        options["executable_path"] = browser
    return playwright.chromium.launch(**options)


def free_port() -> int:
    """A free TCP port on localhost.

    Returns
    -------
    int
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
