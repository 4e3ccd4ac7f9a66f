"""The address of a customer manager's day on the phone, `/my/{department}/{manager}/{date}`
(SPEC §3, the daily field workflow), and its QR code (segno), printed on the week grid and
on the desk's QR sheet so a phone camera opens the day."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import segno

QR_SCALE = 2  # px per module: about 2 cm on paper at 150 dpi, readable by a phone camera


@dataclass(frozen=True)
class MyDaySite:
    """Where the service runs (its base URL) and the department's id there: what a QR
    code needs to open a manager's day."""

    base_url: str
    department_id: str

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"the site URL {self.base_url!r} must start with http:// or https:// "
                             "and name a host, e.g. http://desk.example:8000")
        if not self.department_id.strip():
            raise ValueError("the department's id on the service is empty")

    def day_url(self, manager_id: str, date: str, lang: str) -> str:
        return my_day_url(self.base_url, self.department_id, manager_id, date, lang)


def my_day_url(base_url: str, department_id: str, manager_id: str, date: str, lang: str) -> str:
    """The absolute address of a manager's day (every part quoted: ids may hold any character)."""
    return (f"{base_url.rstrip('/')}/my/{quote(department_id, safe='')}/{quote(manager_id, safe='')}"
            f"/{quote(date, safe='')}?lang={quote(lang, safe='')}")


def qr_svg_text(url: str) -> str:
    """An inline SVG QR code of `url`: segno draws only a path of the code's modules,
    never the text it encodes, so the SVG holds no script and no caller's text."""
    return str(segno.make(url, error="m").svg_inline(scale=QR_SCALE, border=2))
