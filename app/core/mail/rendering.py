"""BaseTemplate: an email's content as a class, rendered with Jinja2 (autoescaped).

    class UserRegistration(BaseTemplate):
        def __init__(self, username: str, project_name: str) -> None:
            self.username = username
            self.project_name = project_name

        def _get_dir(self) -> Path:
            return Path(__file__).parent / "views"

        def _get_name(self) -> str:
            return "user_registration.html"

The template's public attributes are its variables. A `.txt` template beside the HTML one
(`user_registration.txt`) is the plain-text part; without one the text is derived from the HTML.
"""

import html
import re
from abc import ABC, abstractmethod
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    # Imported on the first render: the API renders an email only on the routes that send one,
    # and every process imports this module (the mail service is a platform dependency).
    from jinja2 import Environment

_BLOCK_END = re.compile(r"</(p|div|h[1-6]|li|tr|table|ul|ol)>|<br\s*/?>", re.IGNORECASE)
_LINK = re.compile(r"<a\s[^>]*href=\"([^\"]+)\"[^>]*>(.*?)</a>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")


@lru_cache(maxsize=32)
def _environment(directory: Path) -> "Environment":
    from jinja2 import (  # noqa: PLC0415 - deferred, see the TYPE_CHECKING import
        Environment,
        FileSystemLoader,
        StrictUndefined,
        select_autoescape,
    )

    return Environment(
        loader=FileSystemLoader(directory),
        autoescape=select_autoescape(["html", "htm", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        enable_async=False,
    )


def html_to_text(markup: str) -> str:
    """A readable plain-text version of simple email HTML (links kept as 'text (url)')."""
    text = _LINK.sub(lambda match: f"{match.group(2)} ({match.group(1)})", markup)
    text = _BLOCK_END.sub("\n", text)
    text = html.unescape(_TAG.sub("", text))
    lines = [line.strip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip() + "\n"


class BaseTemplate(ABC):
    @abstractmethod
    def _get_dir(self) -> Path:
        """The directory holding the template files."""

    @abstractmethod
    def _get_name(self) -> str:
        """The HTML template's file name."""

    def context(self) -> dict[str, Any]:
        return {key: value for key, value in vars(self).items() if not key.startswith("_")}

    def render(self) -> tuple[str, str]:
        """(html, text) for this template's variables."""
        environment = _environment(self._get_dir())
        name = self._get_name()
        markup = environment.get_template(name).render(**self.context())
        text_name = str(Path(name).with_suffix(".txt"))
        if (self._get_dir() / text_name).is_file():
            return markup, environment.get_template(text_name).render(**self.context())
        return markup, html_to_text(markup)


class ViewTemplate(BaseTemplate):
    """A BaseTemplate declared by two class attributes (named so no template variable shadows them):

    class Welcome(ViewTemplate):
        template_dir = Path(__file__).parent / "views"
        template_name = "welcome.html"
    """

    template_dir: ClassVar[Path]
    template_name: ClassVar[str]

    def _get_dir(self) -> Path:
        return self.template_dir

    def _get_name(self) -> str:
        return self.template_name
