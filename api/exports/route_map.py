"""The week's visit routes on a map one can read with no network (SPEC §1, §3).

The page shows one manager's day at a time: switchers for the manager and the day (and
a department overview that colours each territory instead of drawing every route), the
stops numbered in visiting order with their times (start–end, and the arrival when the
manager arrives earlier and waits), fixed appointments marked,
and the due retailers left unvisited in grey with their reason. Under the routes the
streets of the department's street network (api/exports/street_basemap.py) are drawn in
the page itself, so the picture has streets without any tile server.

Everything is inline SVG and HTML in one document that runs no script and loads
nothing: the switchers are links to parts of the page (`:target`), so they work under
the exports' sandboxed policy. Every name in it is HTML-escaped.

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
from pathlib import Path
from typing import Any

import folium
from shapely.geometry import MultiPoint

from api.exports.labels import policy_title
from api.exports.street_basemap import (
    ROAD_CLASSES,
    StreetBasemap,
    configured_network,
    load_street_basemap,
)
from api.exports.week import WEEKDAY_NAMES, WORDS, Lang, WeekView
from engine.domain import Department, Timetable
from engine.errors import InputError
from engine.policy import Policy
from engine.routing.daily import UNVISITED_REASONS

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
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
)
SVG_WIDTH, SVG_HEIGHT = 900, 560
METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LON_AT_EQUATOR = 111_320.0
SMALLEST_VIEW_M = 600.0  # a route of two neighbouring shops still shows its streets
STREET_STYLE = {  # road class: (colour, width in px); light colours, none near a route's
    "path": ("#f7f6f2", 0.8),
    "minor": ("#ffffff", 1.6),
    "major": ("#fbf3d0", 3.2),
}
LAND_COLOUR = "#e4e2da"
UNVISITED_COLOUR = "#8a8a8a"
MAP_WORDS: dict[Lang, dict[str, str]] = {
    "zh": {
        "day": "日期",
        "all_days": "全周",
        "visit": "拜访",
        "appointment": "固定预约",
        "no_route": "无路线",
        "stops_n": "站",
        "stops_1": "站",
        "streets_from": "街道底图: © OpenStreetMap 贡献者 (ODbL)",
        "streets_missing": "街道底图无法读取",
        "overview_note": "各片区按客户经理着色; 点选经理和日期查看当天路线.",
        "reason_detail": "{reason}：{detail}",
        "time_window": "时间窗内排不下",
        "opening_hours": "营业时间不合",
        "no_room_in_day": "当天已排满",
        "too_far": "距离太远",
        "no_visit_days": "本周无工作日 (节假日)",
        "no_ride": "当天没有出行: 没有拜访点",
        "no_return": "不回办公室: 当天在外结束",
        "day_notes": "当天说明",
        "arrives": "到达 {time}",
        # a re-plan's reasons for a visit in no route (engine/replan/result.py UnplacedReason)
        "manager_absent": "客户经理缺勤",
        "called_by_phone": "改在电话时段电话拜访",
        "retailer_closed": "零售户停业",
        "not_planned": "未排入",
        "replan_routes": "本周已于 {now} 起重新安排 (任务 {job}): 以下为重新安排后的路线, {now} 前的拜访保持原样.",
        "replan_without_routes": "本周已于 {now} 起重新安排 (任务 {job}), 但重新安排时没有路线: "
                                 "以下仍是重新安排前的路线, 不含其变动.",
        "replan_map": "重新安排的路线图",
        "replan_result": "重新安排结果 (JSON)",
    },
    "en": {
        "day": "Day",
        "all_days": "Week",
        "visit": "visit",
        "appointment": "fixed appointment",
        "no_route": "no route",
        "stops_n": "stops",
        "stops_1": "stop",
        "streets_from": "Streets: © OpenStreetMap contributors (ODbL)",
        "streets_missing": "the street map could not be read",
        "overview_note": "Territories coloured by manager; pick a manager and a day to see that day's route.",
        "reason_detail": "{reason}: {detail}",
        "time_window": "no time left in the visit window",
        "opening_hours": "opening hours do not meet the visit window",
        "no_room_in_day": "the days it fits on are full",
        "too_far": "too far to ride",
        "no_visit_days": "no working day this week (holidays)",
        "no_ride": "no ride this day: no stop",
        "no_return": "no return to the office: the day ends in the field",
        "day_notes": "About this day",
        "arrives": "arrives {time}",
        # a re-plan's reasons for a visit in no route (engine/replan/result.py UnplacedReason)
        "manager_absent": "the manager is away",
        "called_by_phone": "called in the phone slot instead",
        "retailer_closed": "the retailer is closed",
        "not_planned": "not planned",
        "replan_routes": "This week was re-planned from {now} (job {job}): these are the re-planned routes; "
                         "the visits before {now} stay as made.",
        "replan_without_routes": "This week was re-planned from {now} (job {job}) without its routes: the "
                                 "routes below are those planned before the re-plan and miss its changes.",
        "replan_map": "map of the re-plan",
        "replan_result": "the re-plan's result (JSON)",
    },
}

STYLE = """
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       margin: 16px; color: #222; font-size: 13px; }
h1 { font-size: 20px; margin: 0 0 6px; }
h2 { font-size: 16px; margin: 14px 0 6px; }
svg.route-drawing { border: 1px solid #999; background: #e4e2da; max-width: 100%; height: auto; display: block; }
svg.defs { position: absolute; width: 0; height: 0; overflow: hidden; }
table { border-collapse: collapse; margin-bottom: 10px; }
th, td { border: 1px solid #999; padding: 2px 6px; }
th { background: #e7e6e6; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 6px; margin-right: 4px;
          vertical-align: middle; }
.view { display: none; }
.view:target, .view.only { display: block; }
.views:has(.view:target) .overview { display: none; }
nav.switch { margin: 6px 0 8px; line-height: 2.1; }
nav.switch .label { display: inline-block; min-width: 5em; color: #555; }
nav.switch a, nav.switch span.off { display: inline-block; padding: 1px 9px; margin: 0 2px; border-radius: 12px;
       border: 1px solid #bbb; text-decoration: none; color: #222; background: #fff; }
nav.switch a[aria-current] { background: #222; color: #fff; border-color: #222; }
nav.switch span.off { color: #aaa; border-style: dashed; }
table.week-grid a { text-decoration: none; }
.legend span { margin-right: 14px; }
.greyed { color: #777; }
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
    view_id: str


@dataclass(frozen=True)
class _Frame:
    """Metres east and south of the office (SVG's y grows downwards), one frame for every
    drawing of the page so the streets are drawn once and shown in each."""

    office: _Point

    def at(self, point: _Point) -> tuple[float, float]:
        # Longitude degrees shrink with cos(latitude); around one office the flat projection is exact enough.
        shrink = math.cos(math.radians(self.office.lat))
        return (
            round((point.lon - self.office.lon) * shrink * METRES_PER_DEGREE_LON_AT_EQUATOR, 1),
            round((self.office.lat - point.lat) * METRES_PER_DEGREE_LAT, 1),
        )

    def view_box(self, points: Sequence[_Point]) -> tuple[float, float, float, float]:
        """The box around `points` with a margin, widened to the drawing's shape."""
        xs, ys = zip(*(self.at(p) for p in points), strict=True)
        width = max(max(xs) - min(xs), SMALLEST_VIEW_M) * 1.16
        height = max(max(ys) - min(ys), SMALLEST_VIEW_M * SVG_HEIGHT / SVG_WIDTH) * 1.16
        width, height = max(width, height * SVG_WIDTH / SVG_HEIGHT), max(height, width * SVG_HEIGHT / SVG_WIDTH)
        centre_x, centre_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        return (round(centre_x - width / 2, 1), round(centre_y - height / 2, 1), round(width, 1), round(height, 1))


def route_map_page(
    routes: dict[str, Any],
    department: Department,
    policy: Policy,
    *,
    day: dt.date | None = None,
    manager: str | None = None,
    lang: Lang = "zh",
    background_map: bool = False,
    streets: StreetBasemap | None = None,
    network: Path | None = None,
    notice: str = "",
    notice_links: Sequence[tuple[str, str]] = (),
) -> str:
    """An HTML page with the matching routes of a routes JSON (`fieldweek routes`): the
    department overview and one drawing per manager-day with switchers between them (or
    the one route the filters leave), a table of stops per route, the retailers left
    unvisited, and with `background_map` a Leaflet map for when the network allows.
    `streets` default: those of the `network` file (the department's, see
    street_basemap.department_network), else of the network the service is configured with.
    `notice` (with `notice_links`, (label, address) pairs) is said above the map: which
    plan of the week it shows when the week was re-planned (`replan_notice`)."""
    words = WORDS[lang]
    names = {m.id: m.name for m in department.managers}
    scope = " ".join(
        filter(None, [names.get(manager, manager) if manager else "", day.isoformat() if day else ""])
    )
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(words['routes'])} {escape(department.name)} {escape(scope)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(words['routes'])} — {escape(department.name)} {escape(scope)}</h1>",
        (
            f"<p>{escape(words['week'])}: {escape(str(routes.get('week_start', '')))} · "
            f"{escape(words['policy'])}: {escape(policy_title(policy, lang))}</p>"
        ),
        _notice(notice, notice_links),
        route_map_fragment(routes, department, policy, day=day, manager=manager, lang=lang,
                           streets=streets, network=network),
    ]
    drawn = _chosen_routes(routes, department, day, manager)
    if drawn and background_map:
        office = _Point(department.office.lat, department.office.lon)
        parts.append(_leaflet_iframe(office, drawn, names, _retailers(department), words, lang))
    parts.append("</body></html>")
    return "\n".join(parts)


def route_map_fragment(
    routes: dict[str, Any],
    department: Department,
    policy: Policy,
    *,
    day: dt.date | None = None,
    manager: str | None = None,
    lang: Lang = "zh",
    streets: StreetBasemap | None = None,
    network: Path | None = None,
) -> str:
    """The map's views, switchers and tables without the page around them (the desk
    places them in its own page); `<style>` first. `streets` and `network` as for
    `route_map_page`."""
    words, map_words = WORDS[lang], MAP_WORDS[lang]
    retailers = _retailers(department)
    drawn = _chosen_routes(routes, department, day, manager)
    unvisited = [
        u for u in routes.get("unvisited", []) if manager is None or u.get("manager") == manager
    ]
    parts = [f"<style>{STYLE}</style>"]
    if not drawn:
        parts.append(f'<p class="no-routes">{escape(words["no_routes"])}</p>')
    else:
        office = _Point(department.office.lat, department.office.lon)
        frame = _Frame(office)
        basemap, note = _streets_for(streets, network, map_words)
        context = _Context(department, policy, lang, frame, retailers, drawn, unvisited,
                           _week_of(routes, department, policy, lang), manager, day)
        streets_svg = _streets_paths(basemap, frame, context.all_points()) if basemap else ""
        parts.append('<div class="views">')
        if len(drawn) == 1:
            parts.append(_route_view(context, drawn[0], streets_svg, only=True))
        else:
            parts.append(_overview(context, "<use href=\"#streets\"/>" if streets_svg else ""))
            parts += [_route_view(context, route, '<use href="#streets"/>' if streets_svg else "",
                                  only=False) for route in drawn]
        parts.append("</div>")
        if basemap is not None:
            parts.append(f'<p class="note streets-credit">{escape(map_words["streets_from"])}</p>')
        if note:
            parts.append(f'<p class="note">{escape(note)}</p>')
        if streets_svg and len(drawn) > 1:
            parts.append(f'<svg class="defs" xmlns="http://www.w3.org/2000/svg" aria-hidden="true">'
                         f'<defs><g id="streets">{streets_svg}</g></defs></svg>')
    if unvisited:
        names = {m.id: m.name for m in department.managers}
        parts.append(_unvisited_table(unvisited, names, retailers, words, map_words))
    return "\n".join(parts)


def _notice(text: str, links: Sequence[tuple[str, str]]) -> str:
    if not text:
        return ""
    anchors = " ".join(f'<a href="{escape(href, quote=True)}">{escape(label)}</a>' for label, href in links)
    return f'<p class="replan-notice"><strong>{escape(text)}</strong> {anchors}</p>'


def replan_notice(result: dict[str, Any], job_id: str, lang: Lang = "zh") -> str:
    """What the map of a re-planned week says of it: the re-plan's routes are shown, or,
    when it was asked without routes, that the routes shown predate it."""
    words = MAP_WORDS[lang]
    now = str(result.get("now", "")).replace("T", " ")[:16]
    key = "replan_routes" if isinstance(result.get("routes"), list) else "replan_without_routes"
    return words[key].format(now=now, job=job_id)


def replan_route_plan(result: dict[str, Any]) -> dict[str, Any]:
    """A finished re-plan's routes (its `result`, engine/replan/result.py) as the routes
    JSON the map reads: each stop keeps its kind (a visit when it names none; the re-plan
    writes its fixed appointments as stops too), and the visits in no route are the
    unvisited, with the re-plan's reason."""
    routes = [
        {"manager": route.get("manager"), "date": route.get("date"),
         "stops": [{"kind": "visit", **stop} for stop in route.get("stops", [])]}
        for route in result.get("routes") or []
    ]
    return {"week_start": result.get("week_start"), "routes": routes,
            "unvisited": list(result.get("unplaced", []))}


def _retailers(department: Department) -> dict[str, Any]:
    return {r.id: r for r in department.retailers}


def _manager_colours(department: Department) -> dict[str, str]:
    return {m.id: ROUTE_COLOURS[i % len(ROUTE_COLOURS)] for i, m in enumerate(department.managers)}


def _chosen_routes(
    routes: dict[str, Any], department: Department, day: dt.date | None, manager: str | None
) -> list[_Route]:
    """The routes the filters leave, by manager (in the department's order) and day."""
    retailers = _retailers(department)
    colours = _manager_colours(department)
    order = {m.id: i for i, m in enumerate(department.managers)}
    chosen = [
        r
        for r in routes.get("routes", [])
        if (day is None or r.get("date") == day.isoformat())
        and (manager is None or r.get("manager") == manager)
    ]
    chosen.sort(key=lambda r: (order.get(r.get("manager", ""), len(order)), str(r.get("date", ""))))
    drawn = []
    for index, route in enumerate(chosen):
        stops = []
        for stop in route.get("stops", []):
            retailer = retailers.get(stop.get("retailer"))
            stops.append((stop, _Point(retailer.lat, retailer.lon) if retailer else None))
        manager_id = str(route.get("manager", ""))
        date = str(route.get("date", ""))
        drawn.append(
            _Route(
                manager_id,
                date,
                colours.get(manager_id, ROUTE_COLOURS[index % len(ROUTE_COLOURS)]),
                route,
                stops,
                # Ids from positions and ISO dates only: a manager's id may hold any character.
                f"v{order.get(manager_id, len(order) + index)}-{escape(date)}",
            )
        )
    return drawn


def _streets_for(
    streets: StreetBasemap | None, network: Path | None, map_words: dict[str, str]
) -> tuple[StreetBasemap | None, str]:
    """The streets to draw (given, of `network`, else of the configured network) and a
    note when the network file cannot be read."""
    if streets is not None:
        return streets, ""
    path = network or configured_network()
    try:
        return (load_street_basemap(str(path)) if path else None), ""
    except (OSError, InputError) as error:  # a bad file leaves the map without streets, said so
        return None, f"{map_words['streets_missing']}: {error}"


@dataclass(frozen=True)
class _Context:
    """What every drawing of one page needs."""

    department: Department
    policy: Policy
    lang: Lang
    frame: _Frame
    retailers: dict[str, Any]
    routes: list[_Route]
    unvisited: list[dict[str, Any]]
    week: WeekView | None = None
    manager: str | None = None
    day: dt.date | None = None

    @property
    def names(self) -> dict[str, str]:
        return {m.id: m.name for m in self.department.managers}

    def absence(self, manager: str, date: str) -> str | None:
        """What keeps the manager from work that day (a holiday, his leave, its hours),
        in the grid's words (`WeekView.absence`); None on an ordinary day."""
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            return None
        return self.week.absence(manager, day) if self.week is not None else None

    def territory_points(self, manager: str) -> list[_Point]:
        return [_Point(r.lat, r.lon) for r in self.department.retailers if r.manager == manager]

    def managers(self) -> list[str]:
        """Every manager the filter leaves, in the department's order, routes or none (then
        any a route names that the department does not have): a manager on leave all
        week, with no route, was left out of the switcher and the overview."""
        listed = [m.id for m in self.department.managers if self.manager in (None, m.id)]
        return list(dict.fromkeys([*listed, *(route.manager for route in self.routes)]))

    def dates(self) -> list[str]:
        """The days with a route, and the week's days the filter leaves on which a manager
        is away (a holiday has no route at all, yet is a day of the week to say so)."""
        away = set()
        if self.week is not None:
            away = {day.isoformat() for day in self.week.days if self.day in (None, day)
                    and any(self.absence(m, day.isoformat()) for m in self.managers())}
        return sorted({route.date for route in self.routes} | away)

    def route_of(self, manager: str, date: str) -> _Route | None:
        return next((r for r in self.routes if r.manager == manager and r.date == date), None)

    def unvisited_on(self, route: _Route) -> list[dict[str, Any]]:
        return [
            u for u in self.unvisited
            if u.get("manager") == route.manager and u.get("date") in (None, route.date)
        ]

    def all_points(self) -> list[_Point]:
        office = self.frame.office
        points = [office] + [p for m in self.managers() for p in self.territory_points(m)]
        return points + [p for route in self.routes for _, p in route.stops if p is not None]


def _streets_paths(basemap: StreetBasemap, frame: _Frame, points: Sequence[_Point]) -> str:
    """The streets near `points` as one SVG path per road class (pixel-wide strokes at any zoom)."""
    x, y, width, height = frame.view_box(points)
    corners = [(x, y), (x + width, y + height)]
    # Back from metres to degrees for the box the lines are picked in.
    shrink = math.cos(math.radians(frame.office.lat)) * METRES_PER_DEGREE_LON_AT_EQUATOR
    lons = [frame.office.lon + cx / shrink for cx, _ in corners]
    lats = [frame.office.lat - cy / METRES_PER_DEGREE_LAT for _, cy in corners]
    by_class: dict[str, list[str]] = {road_class: [] for road_class in ROAD_CLASSES}
    for line in basemap.within(min(lats), min(lons), max(lats), max(lons)):
        coordinates = [frame.at(_Point(lat, lon)) for lat, lon in line.points]
        by_class[line.road_class].append(
            "M" + "L".join(f"{round(px)} {round(py)}" for px, py in coordinates)
        )
    paths = []
    for road_class in ROAD_CLASSES:
        if by_class[road_class]:
            colour, width_px = STREET_STYLE[road_class]
            paths.append(
                f'<path class="street street-{road_class}" d="{"".join(by_class[road_class])}" '
                f'fill="none" stroke="{colour}" stroke-width="{width_px}" stroke-linecap="round" '
                f'stroke-linejoin="round" vector-effect="non-scaling-stroke"/>'
            )
    return "".join(paths)


def _svg_open(box: tuple[float, float, float, float], label: str, kind: str) -> str:
    x, y, width, height = box
    return (
        f'<svg class="route-drawing {kind}" xmlns="http://www.w3.org/2000/svg" width="{SVG_WIDTH}" '
        f'height="{SVG_HEIGHT}" viewBox="{x} {y} {width} {height}" role="img" '
        f'aria-label="{escape(label)}"><rect x="{x}" y="{y}" width="{width}" height="{height}" '
        f'fill="{LAND_COLOUR}"/>'
    )


def _office_mark(context: _Context, unit: float) -> str:
    ox, oy = context.frame.at(context.frame.office)
    side = 16 * unit
    return (
        f'<g class="office"><title>{escape(WORDS[context.lang]["office"])}</title>'
        f'<rect x="{round(ox - side / 2, 1)}" y="{round(oy - side / 2, 1)}" width="{round(side, 1)}" '
        f'height="{round(side, 1)}" fill="#222"/></g>'
    )


def _week_of(routes: dict[str, Any], department: Department, policy: Policy, lang: Lang) -> WeekView | None:
    """The routes' week as the grid, the workbook and the calendar see it (its days, its
    holidays and the department's leave), for `WeekView.absence`; None when the routes
    name no week. The map showed a day on leave or a holiday as a grey 'off' day."""
    try:
        week_start = dt.date.fromisoformat(str(routes.get("week_start")))
    except ValueError:
        return None
    no_blocks = Timetable(department=department.name, policy=department.policy,
                          week_start=week_start, status="unknown")
    return WeekView(no_blocks, department, policy, lang)


def _with_absence(label: str, absence: str | None) -> str:
    return f"{label} {absence}" if absence else label


def _day_label(date: str, lang: Lang) -> str:
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        return date
    return f"{WEEKDAY_NAMES[lang][day.weekday()]} {day:%m-%d}"


def _overview(context: _Context, streets: str) -> str:
    """The department at a glance: each territory a tinted area in its manager's colour with
    its retailers as dots, and a manager × day table whose cells open that day's route."""
    words, map_words = WORDS[context.lang], MAP_WORDS[context.lang]
    colours = _manager_colours(context.department)
    points = context.all_points()
    box = context.frame.view_box(points)
    unit = box[2] / SVG_WIDTH
    shapes = [_svg_open(box, words["overview"], "overview-drawing"), streets]
    names: list[str] = []  # drawn last, above every territory
    for manager in context.managers():
        colour = colours.get(manager, ROUTE_COLOURS[0])
        territory = context.territory_points(manager)
        coordinates = [context.frame.at(p) for p in territory]
        shapes.append(f'<g class="territory" data-manager="{escape(manager)}">'
                      f"<title>{escape(context.names.get(manager, manager))}</title>")
        if coordinates:
            # A margin around the outline gives a territory on one street (or of one shop) an area too.
            area = MultiPoint(coordinates).convex_hull.buffer(10 * unit, quad_segs=4)
            outline = " ".join(f"{round(x, 1)},{round(y, 1)}" for x, y in area.exterior.coords)
            shapes.append(f'<polygon points="{outline}" fill="{colour}" fill-opacity="0.16" '
                          f'stroke="{colour}" stroke-width="2" vector-effect="non-scaling-stroke"/>')
            # The name inside the territory: colours repeat past the palette's length.
            centre = area.centroid
            names.append(
                f'<text class="territory-name" x="{round(centre.x, 1)}" y="{round(centre.y, 1)}" '
                f'font-size="{round(13 * unit, 1)}" font-weight="bold" text-anchor="middle" '
                f'fill="{colour}" stroke="#fff" stroke-width="3" paint-order="stroke" '
                f'vector-effect="non-scaling-stroke">{escape(context.names.get(manager, manager))}</text>'
            )
        shapes += [f'<circle cx="{x}" cy="{y}" r="{round(3.5 * unit, 1)}" fill="{colour}"/>'
                   for x, y in coordinates]
        shapes.append("</g>")
    shapes += [*names, _office_mark(context, unit), "</svg>"]
    dates = context.dates()
    head = "".join(f"<th>{escape(_day_label(d, context.lang))}</th>" for d in dates)
    rows = []
    for manager in context.managers():
        cells = []
        for date in dates:
            route = context.route_of(manager, date)
            away = context.absence(manager, date)
            cells.append(
                f'<td><a href="#{route.view_id}">{len(route.stops)} '
                f'{escape(map_words["stops_1" if len(route.stops) == 1 else "stops_n"])}</a>'
                f'{_absence_note(away, "span")}</td>'
                if route else f'<td class="greyed">{escape(away or map_words["no_route"])}</td>'
            )
        colour = colours.get(manager, ROUTE_COLOURS[0])
        rows.append(f'<tr><th><span class="swatch" style="background:{colour}"></span>'
                    f'{escape(context.names.get(manager, manager))}</th>{"".join(cells)}</tr>')
    return (
        f'<section class="overview" id="overview"><h2>{escape(words["overview"])}</h2>'
        f'<p class="note">{escape(map_words["overview_note"])}</p>{"".join(shapes)}'
        f'<table class="week-grid"><thead><tr><th>{escape(words["manager"])}</th>{head}</tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table></section>'
    )


def _switchers(context: _Context, current: _Route) -> str:
    """Links to the same day of another manager and to another day of the same manager;
    each says a holiday or leave that day (grey, unlinked when it leaves no route)."""
    words, map_words = WORDS[context.lang], MAP_WORDS[context.lang]

    def link(route: _Route | None, label: str, on: bool) -> str:
        if route is None:
            return f'<span class="off">{escape(label)}</span>'
        mark = ' aria-current="true"' if on else ""
        return f'<a href="#{route.view_id}"{mark}>{escape(label)}</a>'

    managers = "".join(
        link(context.route_of(m, current.date),
             _with_absence(context.names.get(m, m), context.absence(m, current.date)), m == current.manager)
        for m in context.managers()
    )
    days = "".join(
        link(context.route_of(current.manager, d),
             _with_absence(_day_label(d, context.lang), context.absence(current.manager, d)), d == current.date)
        for d in context.dates()
    )
    return (
        f'<nav class="switch"><div class="managers"><span class="label">{escape(words["manager"])}'
        f'</span>{managers}</div><div class="days"><span class="label">{escape(map_words["day"])}'
        f'</span>{days} <a href="#overview">{escape(words["overview"])}</a></div></nav>'
    )


def _route_view(context: _Context, route: _Route, streets: str, *, only: bool) -> str:
    """One manager's day: the path office → stops → office over the streets, each stop
    numbered with its arrival time, appointments as squares, the unvisited in grey."""
    frame, words = context.frame, WORDS[context.lang]
    unvisited = context.unvisited_on(route)
    missed_points = [
        (entry, _Point(r.lat, r.lon))
        for entry in unvisited
        if (r := context.retailers.get(entry.get("retailer"))) is not None
    ]
    stop_points = [p for _, p in route.stops if p] or [frame.office]
    box = frame.view_box(stop_points)
    with_office = frame.view_box([frame.office, *stop_points])
    # Frame the stops; take the office in too unless that would shrink them to a corner
    # (the path then leaves the picture towards it). The unvisited far off are listed below.
    if with_office[2] <= 2 * box[2]:
        box = with_office
    unit = box[2] / SVG_WIDTH
    name = context.names.get(route.manager, route.manager)
    shapes = [_svg_open(box, f"{words['routes']} {name} {route.date}", "day-drawing"), streets]
    shapes += [_missed_mark(context, entry, point, unit) for entry, point in missed_points]
    path = [frame.office] + [p for _, p in route.stops if p is not None] + [frame.office]
    coordinates = " ".join(f"{x},{y}" for x, y in map(frame.at, path))
    shapes.append(
        f'<g class="route" data-manager="{escape(route.manager)}" data-date="{escape(route.date)}">'
        f'<polyline class="path" points="{coordinates}" fill="none" stroke="{route.colour}" '
        f'stroke-width="3" stroke-opacity="0.85" stroke-linejoin="round" '
        f'vector-effect="non-scaling-stroke"/>'
    )
    placed: dict[tuple[float, float], int] = {}
    for number, (stop, point) in enumerate(route.stops, start=1):
        if point is None:
            continue
        x, y = frame.at(point)
        # A retailer visited twice (a visit, then an appointment) would hide its first number.
        repeats = placed.get((x, y), 0)
        placed[(x, y)] = repeats + 1
        shapes.append(_stop_mark(context, route, number, stop, (x + 24 * unit * repeats, y), unit))
    shapes += ["</g>", _office_mark(context, unit), "</svg>"]
    legend = _legend(context, route)
    return (
        f'<section class="view{" only" if only else ""}" id="{route.view_id}" '
        f'data-manager="{escape(route.manager)}" data-date="{escape(route.date)}">'
        f"{'' if only else _switchers(context, route)}{''.join(shapes)}{legend}"
        f"{_stop_table(route, context)}{_missed_list(context, unvisited)}</section>"
    )


def _stop_mark(context: _Context, route: _Route, number: int, stop: dict[str, Any],
               at: tuple[float, float], unit: float) -> str:
    """A visit is a ring, a fixed appointment a filled square; both carry the visiting
    order inside and the stop's time beside (`stop_time`)."""
    x, y = round(at[0], 1), round(at[1], 1)
    retailer = context.retailers.get(stop.get("retailer"))
    kind = str(stop.get("kind", ""))
    time = stop_time(stop, context.lang)
    label = (f"{number}. {retailer.name if retailer else stop.get('retailer')} "
             f"{context.policy.kind_label(kind, context.lang)} {time}")
    size = 10 * unit
    if kind == "visit":
        mark = (f'<circle cx="{x}" cy="{y}" r="{round(size, 1)}" fill="#fff" stroke="{route.colour}" '
                f'stroke-width="3" vector-effect="non-scaling-stroke"/>')
        ink = route.colour
    else:
        mark = (f'<rect x="{round(x - size, 1)}" y="{round(y - size, 1)}" width="{round(2 * size, 1)}" '
                f'height="{round(2 * size, 1)}" fill="{route.colour}" stroke="#222" stroke-width="1.5" '
                f'vector-effect="non-scaling-stroke"/>')
        ink = "#fff"
    font = round(11 * unit, 1)
    return (
        f'<g class="stop" data-retailer="{escape(str(stop.get("retailer")))}" data-order="{number}" '
        f'data-kind="{escape(kind)}"><title>{escape(label)}</title>{mark}'
        f'<text x="{x}" y="{y}" font-size="{font}" font-weight="bold" text-anchor="middle" '
        f'dominant-baseline="central" fill="{ink}">{number}</text>'
        f'<text class="time" x="{round(x + 13 * unit, 1)}" y="{y}" font-size="{font}" '
        f'dominant-baseline="central" fill="#222" stroke="#fff" stroke-width="3" '
        f'paint-order="stroke" vector-effect="non-scaling-stroke">{escape(time)}</text></g>'
    )


def stop_time(stop: dict[str, Any], lang: Lang) -> str:
    """A stop's time as the map says it: its start–end (an appointment at 12:50–13:50 was
    shown at the arrival, 09:23, as if it were then), and the arrival, said as such, when
    the manager arrives before the start and waits."""
    start, end, arrive = (str(stop.get(key) or "") for key in ("start", "end", "arrive"))
    time = f"{start}–{end}" if start and end else start or arrive
    if arrive and start and arrive != start:
        time += f" ({MAP_WORDS[lang]['arrives'].format(time=arrive)})"
    return time


def _missed_mark(context: _Context, entry: dict[str, Any], point: _Point, unit: float) -> str:
    x, y = context.frame.at(point)
    retailer = context.retailers.get(entry.get("retailer"))
    reason = _reason(entry, context.lang)
    label = f"{retailer.name if retailer else entry.get('retailer')}: {reason}"
    return (
        f'<g class="unvisited" data-retailer="{escape(str(entry.get("retailer")))}">'
        f"<title>{escape(label)}</title>"
        f'<circle cx="{x}" cy="{y}" r="{round(6 * unit, 1)}" fill="{UNVISITED_COLOUR}" '
        f'fill-opacity="0.75" stroke="#fff" stroke-width="1" vector-effect="non-scaling-stroke"/></g>'
    )


def _reason(entry: dict[str, Any], lang: Lang) -> str:
    return _reason_in(entry, MAP_WORDS[lang])


def _reason_in(entry: dict[str, Any], map_words: dict[str, str]) -> str:
    """The reason in the page's words, and the plan's detail beside it when it has one
    (whose customer a visit made way for, how many days could hold it): the words alone
    ("the days it fits on are full") said less than the routes JSON."""
    reason = str(entry.get("reason", ""))
    words = map_words.get(reason, reason) if reason in _REASONS else reason
    detail = str(entry.get("detail") or "")
    return map_words["reason_detail"].format(reason=words, detail=detail) if detail else words


_REASONS = frozenset(UNVISITED_REASONS) | {"manager_absent", "retailer_closed", "not_planned", "called_by_phone"}


def _legend(context: _Context, route: _Route) -> str:
    map_words = MAP_WORDS[context.lang]
    return (
        f'<p class="legend"><span><svg width="14" height="14" viewBox="0 0 14 14"><circle cx="7" cy="7" '
        f'r="5" fill="#fff" stroke="{route.colour}" stroke-width="2.5"/></svg> {escape(map_words["visit"])}'
        f'</span><span><svg width="14" height="14" viewBox="0 0 14 14"><rect x="2" y="2" width="10" '
        f'height="10" fill="{route.colour}"/></svg> {escape(map_words["appointment"])}</span>'
        f'<span class="greyed"><svg width="14" height="14" viewBox="0 0 14 14"><circle cx="7" cy="7" r="5" '
        f'fill="{UNVISITED_COLOUR}"/></svg> {escape(WORDS[context.lang]["unvisited"])}</span></p>'
    )


def _missed_list(context: _Context, unvisited: list[dict[str, Any]]) -> str:
    if not unvisited:
        return ""
    items = []
    for entry in unvisited:
        retailer = context.retailers.get(entry.get("retailer"))
        name = retailer.name if retailer else str(entry.get("retailer"))
        items.append(f'<li>{escape(name)} ({escape(str(entry.get("retailer")))}): '
                     f"{escape(_reason(entry, context.lang))}</li>")
    return (f'<div class="greyed missed"><strong>{escape(WORDS[context.lang]["unvisited"])}</strong>'
            f'<ul>{"".join(items)}</ul></div>')


def _stop_table(route: _Route, context: _Context) -> str:
    words, lang = WORDS[context.lang], context.lang
    summary = route.summary
    name = context.names.get(route.manager, route.manager)
    map_words = MAP_WORDS[lang]
    if route.stops:
        # A null `return` is a day that ends at a field block: said in words, never as None.
        # A re-plan's routes (replan_route_plan) time only their stops: no ride line then.
        back = summary.get("return")
        pieces = [
            f"{words['depart']} {_shown(summary.get('depart'))}" if "depart" in summary else "",
            (f"{words['return']} {back}" if back is not None else map_words["no_return"])
            if "return" in summary else "",
            f"{words['distance']} {_shown(summary.get('distance_km'))}" if "distance_km" in summary else "",
            f"{words['travel']} {_shown(summary.get('travel_minutes'))}" if "travel_minutes" in summary else "",
        ]
        shown = [piece for piece in pieces if piece]
        ride = f"<p>{escape(' · '.join(shown))}</p>" if shown else ""
    else:  # no stop (the visit block emptied): no ride to time, the notes say why
        ride = f'<p class="no-ride">{escape(map_words["no_ride"])}</p>'
    heading = (
        f'<h2><span class="swatch" style="background:{route.colour}"></span>'
        f"{escape(name)} ({escape(route.manager)}) {escape(route.date)}</h2>"
        f"{_absence_note(context.absence(route.manager, route.date))}{ride}{_day_notes(route, map_words)}"
    )
    head = "".join(
        f"<th>{escape(h)}</th>"
        for h in ["#", words["retailer"], words["kind"], words["arrive"], words["start"], words["end"]]
    )
    rows = []
    for number, (stop, _) in enumerate(route.stops, start=1):
        retailer = context.retailers.get(stop.get("retailer"))
        label = f"{retailer.name} ({stop.get('retailer')})" if retailer else str(stop.get("retailer"))
        cells = [
            str(number),
            label,
            context.policy.kind_label(str(stop.get("kind", "")), lang),
            stop.get("arrive", ""),
            stop.get("start", ""),
            stop.get("end", ""),
        ]
        rows.append("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in cells) + "</tr>")
    return (f'{heading}<table class="stops"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _absence_note(absence: str | None, tag: str = "p") -> str:
    """A holiday or leave (`_Context.absence`) beside a day that has a route."""
    return f' <{tag} class="absence">{escape(absence)}</{tag}>' if absence else ""


def _shown(value: object) -> str:
    """A value of the routes JSON for the page: a missing or null one is left blank."""
    return "" if value is None else str(value)


def _day_notes(route: _Route, map_words: dict[str, str]) -> str:
    """The route's notes for the market manager (why a day is empty, an early start, a
    ride its buffers do not cover): the JSON carries them, the map showed none."""
    notes = [str(note) for note in route.summary.get("notes") or () if note]
    if not notes:
        return ""
    items = "".join(f"<li>{escape(note)}</li>" for note in notes)
    return (f'<div class="day-notes"><strong>{escape(map_words["day_notes"])}</strong>'
            f"<ul>{items}</ul></div>")


def _unvisited_table(
    unvisited: list[dict[str, Any]],
    names: dict[str, str],
    retailers: dict[str, Any],
    words: dict[str, str],
    map_words: dict[str, str],
) -> str:
    head = "".join(
        f"<th>{escape(h)}</th>"
        for h in [words["retailer"], words["manager"], map_words["day"], words["reason"]]
    )
    rows = []
    for entry in unvisited:
        retailer = retailers.get(entry.get("retailer"))
        cells = [
            f"{retailer.name} ({entry.get('retailer')})" if retailer else str(entry.get("retailer")),
            names.get(entry.get("manager", ""), entry.get("manager", "")),
            entry.get("date") or map_words["all_days"],
            _reason_in(entry, map_words),
        ]
        rows.append('<tr class="greyed">' + "".join(f"<td>{escape(str(c))}</td>" for c in cells) + "</tr>")
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
    lang: Lang,
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
            label = f"{number}. {retailer.name if retailer else stop.get('retailer')} {stop_time(stop, lang)}"
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
