"""Headless Chromium for the browser tests: Debian's (`make browser` installs it; `make test` runs
that first), driven by Playwright with the system browser, so no browser download."""

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Route, async_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Chromium is not installed and `make browser` could not install it"
)
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield browser
        finally:
            await browser.close()


# Reported to the console too, with what was blocked (the page's own listener runs before any
# of its scripts, outside its Content-Security-Policy).
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


@dataclass
class Offline:
    """A browser context that reaches only `base_url`'s host and port: every other request is
    aborted and recorded, and so is every Content-Security-Policy violation."""

    base_url: str
    external_requests: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    async def attach(self, context: BrowserContext) -> None:
        await context.route("**/*", self._only_local)
        await context.add_init_script(_REPORT_VIOLATIONS)
        context.on("console", self._console)

    async def _only_local(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).netloc == urlsplit(self.base_url).netloc:
            await route.continue_()
            return
        self.external_requests.append(url)
        await route.abort("blockedbyclient")

    def _console(self, message: ConsoleMessage) -> None:
        # Chromium's own report ("... violates the following Content Security Policy directive")
        # and the listener's.
        if "Content Security Policy" in message.text or message.text.startswith("CSP violation"):
            self.csp_violations.append(message.text)
