"""The day's visit routes on a map.

The page draws the stops and the path itself, as inline SVG (a flat projection of
latitude and longitude around the office), so they are visible with no tile server
and no CDN reachable. The page runs no script and loads nothing; every name in it is
HTML-escaped.

Only on request (`background_map=True`, never from the HTTP API, whose pages may load
nothing from other hosts) a folium/Leaflet map below shows the same routes over
OpenStreetMap tiles where the network allows. Folium writes tooltip text into a
JavaScript template literal as HTML, so names are escaped for both before they reach
it, and the map lives in an iframe sandboxed to scripts alone (no same origin, no
top navigation, no pop-ups, no dialogs).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import folium

from api.exports.week import WORDS, Lang
from engine.domain import Department
from engine.policy import Policy

ROUTE_COLOURS = (
    "#d62728",
    "#1f77b4",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
)
SVG_WIDTH, SVG_HEIGHT, SVG_MARGIN = 900, 560, 36

STYLE = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 16px; color: #222;
       font-size: 13px; }
h1 { font-size: 20px; margin: 0 0 6px; }
h2 { font-size: 16px; margin: 14px 0 6px; }
svg.route-drawing { border: 1px solid #999; background: #f8f8f4; max-width: 100%; height: auto; }
svg .stop-label { font-size: 11px; font-weight: bold; text-anchor: middle; dominant-baseline: central; }
table { border-collapse: collapse; margin-bottom: 10px; }
th, td { border: 1px solid #999; padding: 2px 6px; }
th { background: #e7e6e6; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 6px; margin-right: 4px;
          vertical-align: middle; }
iframe.map { width: 100%; height: 460px; border: 1px solid #999; }
.note { color: #666; }
"""


@dataclass(frozen=True)
class _Point:
    lat: float
    lon: float


@dataclass(frozen=True)
class _Route:
    manager: str
    date: str
    colour: str
    summary: dict[str, Any]
    stops: list[tuple[dict[str, Any], _Point | None]]


def route_map_page(
    routes: dict[str, Any],
    department: Department,
    policy: Policy,
    *,
    day: dt.date | None = None,
    manager: str | None = None,
    lang: Lang = "zh",
    background_map: bool = False,
) -> str:
    """An HTML page with the matching routes of a routes JSON (`fieldweek routes`):
    an inline SVG drawing, a table of stops per route, the retailers left unvisited,
    and with `background_map` a Leaflet map for when the network allows."""
    words = WORDS[lang]
    names = {m.id: m.name for m in department.managers}
    retailers = {r.id: r for r in department.retailers}
    office = _Point(department.office.lat, department.office.lon)
    chosen = [
        r
        for r in routes.get("routes", [])
        if (day is None or r.get("date") == day.isoformat())
        and (manager is None or r.get("manager") == manager)
    ]
    drawn = []
    for index, route in enumerate(chosen):
        stops = []
        for stop in route.get("stops", []):
            retailer = retailers.get(stop.get("retailer"))
            stops.append((stop, _Point(retailer.lat, retailer.lon) if retailer else None))
        drawn.append(
            _Route(
                route.get("manager", ""),
                route.get("date", ""),
                ROUTE_COLOURS[index % len(ROUTE_COLOURS)],
                route,
                stops,
            )
        )
    unvisited = [
        u for u in routes.get("unvisited", []) if manager is None or u.get("manager") == manager
    ]
    scope = " ".join(
        filter(
            None, [names.get(manager, manager) if manager else "", day.isoformat() if day else ""]
        )
    )
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{escape(words['routes'])} {escape(department.name)} {escape(scope)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(words['routes'])} — {escape(department.name)} {escape(scope)}</h1>",
        (
            f"<p>{escape(words['week'])}: {escape(str(routes.get('week_start', '')))} · "
            f"{escape(words['policy'])}: {escape(policy.title or policy.name)}</p>"
        ),
    ]
    if not drawn:
        parts.append(f'<p class="no-routes">{escape(words["no_routes"])}</p>')
    else:
        parts.append(_svg(office, drawn, names, retailers, words))
        parts += [_stop_table(route, names, retailers, words, policy, lang) for route in drawn]
    if unvisited:
        parts.append(_unvisited_table(unvisited, names, retailers, words))
    if drawn and background_map:
        parts.append(_leaflet_iframe(office, drawn, names, retailers, words))
    parts.append("</body></html>")
    return "\n".join(parts)


def _svg(
    office: _Point,
    routes: Sequence[_Route],
    names: dict[str, str],
    retailers: dict[str, Any],
    words: dict[str, str],
) -> str:
    """Stops and paths drawn to scale (north up), the office as a black square."""
    points = [office] + [p for route in routes for _, p in route.stops if p is not None]
    # Longitude degrees shrink with cos(latitude); around one office the flat projection is exact enough.
    shrink = math.cos(math.radians(office.lat))
    xs = [p.lon * shrink for p in points]
    ys = [-p.lat for p in points]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    inner_width, inner_height = SVG_WIDTH - 2 * SVG_MARGIN, SVG_HEIGHT - 2 * SVG_MARGIN
    scale = min(inner_width / max(width, 1e-6), inner_height / max(height, 1e-6))
    left = min(xs) - (inner_width / scale - width) / 2  # centre the drawing both ways
    top = min(ys) - (inner_height / scale - height) / 2

    def at(point: _Point) -> tuple[float, float]:
        return (
            round(SVG_MARGIN + (point.lon * shrink - left) * scale, 1),
            round(SVG_MARGIN + (-point.lat - top) * scale, 1),
        )

    shapes = []
    placed: dict[tuple[float, float], int] = {}
    for route in routes:
        path = [office] + [p for _, p in route.stops if p is not None] + [office]
        coordinates = " ".join(f"{x},{y}" for x, y in map(at, path))
        shapes.append(
            f'<g class="route" data-manager="{escape(route.manager)}" data-date="{escape(route.date)}">'
            f'<polyline class="path" points="{coordinates}" fill="none" stroke="{route.colour}" '
            f'stroke-width="2.5" stroke-opacity="0.85" stroke-linejoin="round"/>'
        )
        for number, (stop, point) in enumerate(route.stops, start=1):
            if point is None:
                continue
            x, y = at(point)
            # A retailer visited twice (a visit, then an appointment) would hide its first number.
            repeats = placed.get((x, y), 0)
            placed[(x, y)] = repeats + 1
            x += 22 * repeats
            retailer = retailers.get(stop.get("retailer"))
            label = f"{number}. {retailer.name if retailer else stop.get('retailer')} {stop.get('start', '')}"
            shapes.append(
                f'<g class="stop" data-retailer="{escape(str(stop.get("retailer")))}" data-order="{number}">'
                f"<title>{escape(label)}</title>"
                f'<circle cx="{x}" cy="{y}" r="10" fill="#fff" stroke="{route.colour}" stroke-width="3"/>'
                f'<text class="stop-label" x="{x}" y="{y}" fill="{route.colour}">{number}</text></g>'
            )
        shapes.append("</g>")
    ox, oy = at(office)
    shapes.append(
        f'<g class="office"><title>{escape(words["office"])}</title>'
        f'<rect x="{ox - 8}" y="{oy - 8}" width="16" height="16" fill="#222"/></g>'
    )
    legend = "".join(
        f'<text x="{SVG_MARGIN}" y="{18 + 16 * i}" font-size="12" fill="{route.colour}">'
        f"● {escape(names.get(route.manager, route.manager))} {escape(route.date)}</text>"
        for i, route in enumerate(routes[:8])
    )
    return (
        f'<svg class="route-drawing" xmlns="http://www.w3.org/2000/svg" width="{SVG_WIDTH}" '
        f'height="{SVG_HEIGHT}" viewBox="0 0 {SVG_WIDTH} {SVG_HEIGHT}" role="img" '
        f'aria-label="{escape(words["routes"])}">{"".join(shapes)}{legend}</svg>'
    )


def _stop_table(
    route: _Route,
    names: dict[str, str],
    retailers: dict[str, Any],
    words: dict[str, str],
    policy: Policy,
    lang: Lang,
) -> str:
    summary = route.summary
    heading = (
        f'<h2><span class="swatch" style="background:{route.colour}"></span>'
        f"{escape(names.get(route.manager, route.manager))} ({escape(route.manager)}) {escape(route.date)}</h2>"
        f"<p>{escape(words['depart'])} {escape(str(summary.get('depart', '')))} · "
        f"{escape(words['return'])} {escape(str(summary.get('return', '')))} · "
        f"{escape(words['distance'])} {escape(str(summary.get('distance_km', '')))} · "
        f"{escape(words['travel'])} {escape(str(summary.get('travel_minutes', '')))}</p>"
    )
    head = "".join(
        f"<th>{escape(h)}</th>"
        for h in [
            "#",
            words["retailer"],
            words["kind"],
            words["arrive"],
            words["start"],
            words["end"],
        ]
    )
    rows = []
    for number, (stop, _) in enumerate(route.stops, start=1):
        retailer = retailers.get(stop.get("retailer"))
        name = (
            f"{retailer.name} ({stop.get('retailer')})" if retailer else str(stop.get("retailer"))
        )
        cells = [
            str(number),
            name,
            policy.kind_label(str(stop.get("kind", "")), lang),
            stop.get("arrive", ""),
            stop.get("start", ""),
            stop.get("end", ""),
        ]
        rows.append("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in cells) + "</tr>")
    return f'{heading}<table class="stops"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _unvisited_table(
    unvisited: list[dict[str, Any]],
    names: dict[str, str],
    retailers: dict[str, Any],
    words: dict[str, str],
) -> str:
    head = "".join(
        f"<th>{escape(h)}</th>" for h in [words["retailer"], words["manager"], words["reason"]]
    )
    rows = []
    for entry in unvisited:
        retailer = retailers.get(entry.get("retailer"))
        cells = [
            f"{retailer.name} ({entry.get('retailer')})"
            if retailer
            else str(entry.get("retailer")),
            names.get(entry.get("manager", ""), entry.get("manager", "")),
            entry.get("reason", ""),
        ]
        rows.append("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in cells) + "</tr>")
    return (
        f'<h2>{escape(words["unvisited"])}</h2><table class="unvisited"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _leaflet_iframe(
    office: _Point,
    routes: Sequence[_Route],
    names: dict[str, str],
    retailers: dict[str, Any],
    words: dict[str, str],
) -> str:
    """The same routes on OpenStreetMap tiles (needs the network for Leaflet and the tiles)."""
    points = [office] + [p for route in routes for _, p in route.stops if p is not None]
    figure = folium.Map(location=[office.lat, office.lon], zoom_start=13, control_scale=True)
    figure.fit_bounds(
        [
            [min(p.lat for p in points), min(p.lon for p in points)],
            [max(p.lat for p in points), max(p.lon for p in points)],
        ]
    )
    folium.Marker([office.lat, office.lon], tooltip=script_safe_text(words["office"])).add_to(
        figure
    )
    for route in routes:
        path = [office] + [p for _, p in route.stops if p is not None] + [office]
        folium.PolyLine(
            [[p.lat, p.lon] for p in path],
            color=route.colour,
            weight=3,
            opacity=0.85,
            tooltip=script_safe_text(f"{names.get(route.manager, route.manager)} {route.date}"),
        ).add_to(figure)
        for number, (stop, point) in enumerate(route.stops, start=1):
            if point is None:
                continue
            retailer = retailers.get(stop.get("retailer"))
            label = f"{number}. {retailer.name if retailer else stop.get('retailer')} {stop.get('start', '')}"
            folium.CircleMarker(
                [point.lat, point.lon],
                radius=7,
                color=route.colour,
                fill=True,
                fill_color="#ffffff",
                fill_opacity=1,
                tooltip=script_safe_text(label),
            ).add_to(figure)
    page = figure.get_root().render()
    return (
        f'<iframe class="map" title="map" sandbox="allow-scripts" referrerpolicy="no-referrer" '
        f'srcdoc="{escape(page, quote=True)}"></iframe>'
        f'<p class="note">{escape(words["map_note"])}</p>'
    )


def script_safe_text(text: str) -> str:
    """`text` as folium's tooltips need it: they place it as HTML inside a JavaScript
    template literal, so it is HTML-escaped (no tag, no `</script>`) and the characters
    a template literal reads (backquote, `$`, backslash) become character references
    that the tooltip shows as themselves."""
    return (
        escape(text, quote=True).replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")
    )
