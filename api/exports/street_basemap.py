"""The streets under the route map, drawn from the department's street network (SPEC §4:
the GraphML written by osmnx, or an OpenStreetMap extract), so a map shows where the
roads are with no tile server.

Which network: the one the department's `department.toml` names (`street_network`, a
path relative to its folder) when the map is drawn from a folder; else, and always in
the service (which never opens a path a caller sent), the file `FIELDWEEK_STREETS` names
(the same GraphML / OSM file the routes are ridden on with `fieldweek routes --matrix`).
Where a tile server of one's own
is configured (`FIELDWEEK_TILES`, an `{z}/{x}/{y}` URL template), the desk's map shows
it with Leaflet served by the package; by default nothing is loaded from anywhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from engine.domain import Department
from engine.routing.matrix import load_road_graph

STREETS_VARIABLE = "FIELDWEEK_STREETS"
TILES_VARIABLE = "FIELDWEEK_TILES"

# OSM `highway` values by how a map draws them; a way with none of these (rail, rivers,
# building outlines) is no street.
MAJOR_ROADS = frozenset(
    {"motorway", "trunk", "primary", "secondary", "motorway_link", "trunk_link",
     "primary_link", "secondary_link"}
)
MINOR_ROADS = frozenset(
    {"tertiary", "tertiary_link", "residential", "unclassified", "living_street", "service",
     "road"}
)
PATHS = frozenset({"footway", "pedestrian", "cycleway", "path", "steps", "track"})
ROAD_CLASSES = ("path", "minor", "major")  # drawing order: the major roads on top

LatLon = tuple[float, float]


@dataclass(frozen=True)
class StreetLine:
    """One street between two junctions: its class and its shape as (lat, lon) points."""

    road_class: str
    points: tuple[LatLon, ...]


@dataclass(frozen=True)
class StreetBasemap:
    """Every street of a network, each drawn once (a two-way street is one line)."""

    source: str
    lines: tuple[StreetLine, ...]

    def within(self, south: float, west: float, north: float, east: float) -> list[StreetLine]:
        """The lines with at least one point inside the box (the drawing clips the rest)."""
        return [
            line
            for line in self.lines
            if any(south <= lat <= north and west <= lon <= east for lat, lon in line.points)
        ]


def _road_class(highway: object) -> str | None:
    values = {str(v) for v in highway} if isinstance(highway, (list, tuple, set)) else {str(highway)}
    for road_class, members in (("major", MAJOR_ROADS), ("minor", MINOR_ROADS), ("path", PATHS)):
        if values & members:
            return road_class
    return None


def _street_lines(edges: Iterable[tuple[object, object, dict]], nodes: dict) -> list[StreetLine]:
    seen: set[frozenset[object]] = set()
    lines = []
    for u, v, edge in edges:
        road_class = _road_class(edge.get("highway"))
        pair = frozenset((u, v))
        if road_class is None or pair in seen:
            continue
        seen.add(pair)
        geometry = edge.get("geometry")
        if geometry is not None:
            points = tuple((round(y, 6), round(x, 6)) for x, y in geometry.coords)
        else:
            points = tuple(
                (round(nodes[n]["y"], 6), round(nodes[n]["x"], 6)) for n in (u, v)
            )
        lines.append(StreetLine(road_class, points))
    return lines


@lru_cache(maxsize=4)
def load_street_basemap(path: str) -> StreetBasemap:
    """The streets of a road graph file (GraphML / OSM extract, read from disk only; an
    extract takes a few seconds, so each file is read once per process)."""
    graph = load_road_graph(Path(path))
    return StreetBasemap(str(path), tuple(_street_lines(graph.edges(data=True), graph.nodes)))


def configured_network() -> Path | None:
    """The street network file `FIELDWEEK_STREETS` names, if any."""
    path = os.environ.get(STREETS_VARIABLE, "").strip()
    return Path(path) if path else None


def department_network(department: Department, folder: Path | None) -> Path | None:
    """The department's own street network (department.toml's `street_network`, resolved
    against its folder), else the configured one. Without a folder the department's path
    means nothing here, so the configured network is used."""
    if department.street_network and folder is not None:
        return (Path(folder) / department.street_network).resolve()
    return configured_network()


def configured_streets() -> StreetBasemap | None:
    """The streets of the network `FIELDWEEK_STREETS` names; None when it names none."""
    path = configured_network()
    return load_street_basemap(str(path)) if path else None


def configured_tiles() -> str | None:
    """The `{z}/{x}/{y}` URL template of the tile server one runs oneself, if any."""
    return os.environ.get(TILES_VARIABLE, "").strip() or None
