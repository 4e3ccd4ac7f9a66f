"""QR codes that open a customer manager's day on the phone (SPEC §1): printed from the
desk beside the week, one per manager and day, made by the segno library."""

from __future__ import annotations

from urllib.parse import quote

import segno
from markupsafe import Markup

QR_SCALE = 2  # px per module: about 2 cm on paper at 150 dpi, readable by a phone camera


def my_day_url(base_url: str, department_id: str, manager_id: str, date: str, lang: str) -> str:
    """The absolute address of a manager's day."""
    return (f"{base_url.rstrip('/')}/my/{quote(department_id, safe='')}/{quote(manager_id, safe='')}"
            f"/{quote(date, safe='')}?lang={lang}")


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code of `url`. Markup is safe here: segno draws only a path of
    the code's modules, never the text it encodes."""
    return Markup(segno.make(url, error="m").svg_inline(scale=QR_SCALE, border=2))
