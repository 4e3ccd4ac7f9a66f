"""QR codes that open a customer manager's day on the phone (SPEC §1): printed from the
desk beside the week, one per manager and day (api/exports/my_day_link.py draws them)."""

from __future__ import annotations

from markupsafe import Markup

from api.exports.my_day_link import my_day_url, qr_svg_text

__all__ = ["my_day_url", "qr_svg"]


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code of `url`, for a template. Markup is safe here: the SVG holds
    only the code's modules, never the text it encodes."""
    return Markup(qr_svg_text(url))
