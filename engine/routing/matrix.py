"""Travel-time and distance matrices for a manager's office plus retailers (SPEC §4).

Two sources:

* `straight_line_matrix` — great-circle distance times the policy's road detour
  factor, ridden at the policy's town or country speed. Needs nothing but points.
* `street_network_matrix` — shortest rides on a real road graph (an OpenStreetMap
  extract or a GraphML written by osmnx), read from disk by `load_road_graph` and
  made fit for bikes by `prepare_bike_graph`. The graph is never downloaded.

Speeds and the detour factor always come from the caller (normally
`Policy.travel`); nothing here hard-codes them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np

from engine.errors import InputError, Problem
from engine.policy import TravelRules

MEAN_EARTH_RADIUS_KM = 6371.0088
"""IUGG mean Earth radius R1; the sphere this module measures great circles on."""

BIKE_EXCLUDED_HIGHWAYS: frozenset[str] = frozenset(
    {"motorway", "motorway_link", "trunk", "trunk_link", "footway", "steps"}
)
"""OSM `highway` values a field manager cannot ride: elevated ring roads and their
ramps (closed to bikes and motorbikes in Chengdu), footpaths and stairs."""

TRAVEL_TIME_WEIGHT = "travel_time_s"
"""Edge attribute `prepare_bike_graph` writes: seconds to ride the edge."""

_SPEED_ATTRIBUTE = "bike_speed_kmh"
# Seconds are converted to whole minutes with ceil; this slack keeps float noise
# (60.0000000001 s) from adding a whole minute to an exact leg.
_CEIL_SLACK = 1e-9
# Bound on the points × nodes block held in memory while snapping (float64 cells).
_SNAP_BLOCK_CELLS = 2_000_000


@dataclass(frozen=True, eq=False)
class TravelMatrix:
    """Door-to-door distances and riding times between n points, index-aligned.

    `distance_km[i, j]` and `minutes[i, j]` describe the ride from point i to
    point j; the diagonal is zero. `minutes` is rounded up to whole minutes.
    `source` says how the figures were made: "straight_line" or "street_network".
    The arrays are read-only so a shared matrix cannot be changed by one caller.
    """

    distance_km: np.ndarray
    minutes: np.ndarray
    source: str

    def __post_init__(self) -> None:
        if self.source not in ("straight_line", "street_network"):
            raise ValueError(f"unknown matrix source {self.source!r}")
        distance = np.asarray(self.distance_km, dtype=float)
        minutes = np.asarray(self.minutes)
        if distance.ndim != 2 or distance.shape[0] != distance.shape[1]:
            raise ValueError(f"distance_km must be square, got shape {distance.shape}")
        if minutes.shape != distance.shape:
            raise ValueError(f"minutes has shape {minutes.shape}, distance_km {distance.shape}")
        if not np.issubdtype(minutes.dtype, np.integer):
            raise ValueError("minutes must hold whole minutes (an integer array)")
        distance.flags.writeable = False
        minutes.flags.writeable = False
        object.__setattr__(self, "distance_km", distance)
        object.__setattr__(self, "minutes", minutes)

    @property
    def size(self) -> int:
        """Number of points (rows) in the matrix."""
        return int(self.distance_km.shape[0])


def great_circle_km(
    lats_a: Sequence[float] | np.ndarray,
    lons_a: Sequence[float] | np.ndarray,
    lats_b: Sequence[float] | np.ndarray | None = None,
    lons_b: Sequence[float] | np.ndarray | None = None,
) -> np.ndarray:
    """Haversine distances in km from every point A to every point B (len(A) × len(B)).

    Without B, returns the square matrix among the A points, exactly symmetric with
    a zero diagonal. Uses a sphere of the mean Earth radius: within about 0.5 % of
    the WGS-84 geodesic at China's latitudes.
    """
    lat_a = np.radians(np.asarray(lats_a, dtype=float))
    lon_a = np.radians(np.asarray(lons_a, dtype=float))
    lat_b = lat_a if lats_b is None else np.radians(np.asarray(lats_b, dtype=float))
    lon_b = lon_a if lons_b is None else np.radians(np.asarray(lons_b, dtype=float))
    half_dlat = (lat_a[:, None] - lat_b[None, :]) / 2.0
    half_dlon = (lon_a[:, None] - lon_b[None, :]) / 2.0
    chord = np.sin(half_dlat) ** 2 + np.outer(np.cos(lat_a), np.cos(lat_b)) * np.sin(half_dlon) ** 2
    # Rounding can push the haversine term a hair above 1 for antipodal points.
    return 2.0 * MEAN_EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(chord, 0.0, 1.0)))


def _checked_points(lats: Sequence[float], lons: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    lat = np.asarray(lats, dtype=float).reshape(-1)
    lon = np.asarray(lons, dtype=float).reshape(-1)
    if lat.shape != lon.shape:
        raise ValueError(f"got {lat.size} latitudes but {lon.size} longitudes")
    if not np.all(np.isfinite(lat)) or not np.all(np.isfinite(lon)):
        raise ValueError("latitudes and longitudes must be finite numbers")
    if np.any(np.abs(lat) > 90) or np.any(np.abs(lon) > 180):
        raise ValueError("latitudes must lie in [-90, 90] and longitudes in [-180, 180]")
    return lat, lon


def _whole_minutes(hours: np.ndarray) -> np.ndarray:
    return np.ceil(hours * 60.0 - _CEIL_SLACK).clip(min=0).astype(np.int64)


def straight_line_matrix(
    lats: Sequence[float],
    lons: Sequence[float],
    areas: Sequence[str],
    travel: TravelRules,
) -> TravelMatrix:
    """Distances and riding times from great circles stretched by the detour factor.

    Road distance is estimated as the haversine distance × `travel.detour_factor`.
    Speed rule, per leg: a leg between two town points is ridden by electric bike at
    `travel.town_speed_kmh`; any leg with a country end is ridden by motorbike at
    `travel.country_speed_kmh` (a manager with countryside retailers takes the
    motorbike for the whole trip). `areas[i]` is "town" or "country" for point i;
    pass "town" for the office. Minutes are rounded up.
    """
    lat, lon = _checked_points(lats, lons)
    area = np.asarray(list(areas), dtype=object)
    if area.shape != lat.shape:
        raise ValueError(f"got {area.size} areas for {lat.size} points")
    unknown = sorted({str(a) for a in area} - {"town", "country"})
    if unknown:
        raise ValueError(f"areas must be 'town' or 'country', got {unknown}")
    distance = great_circle_km(lat, lon) * travel.detour_factor
    is_town = area == "town"
    speed = np.where(
        np.logical_and.outer(is_town, is_town), travel.town_speed_kmh, travel.country_speed_kmh
    )
    return TravelMatrix(
        distance_km=distance, minutes=_whole_minutes(distance / speed), source="straight_line"
    )


def load_road_graph(path: str | Path) -> nx.MultiDiGraph:
    """Read a road graph from disk: a GraphML written by osmnx, or an OSM XML extract.

    `.graphml` files go through `osmnx.load_graphml`; `.osm`, `.xml` (optionally
    `.bz2`-compressed) through `osmnx.graph_from_xml`, which keeps one-way streets
    directed. Never touches the network. Raises FileNotFoundError if `path` is
    missing and InputError for any other suffix.
    """
    import osmnx  # imported here: loading osmnx costs about a second and few callers need it

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no road graph at {path}")
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-1:] == [".graphml"]:
        # A prepared bike graph saved with osmnx.save_graphml keeps its riding
        # times; GraphML stores them as text unless told their type.
        return osmnx.load_graphml(
            path,
            graph_dtypes={_SPEED_ATTRIBUTE: float},
            edge_dtypes={TRAVEL_TIME_WEIGHT: float},
        )
    if suffixes[-1:] in ([".osm"], [".xml"]) or suffixes[-2:] in ([".osm", ".bz2"], [".xml", ".bz2"]):
        return osmnx.graph_from_xml(path)
    raise InputError([Problem("expected a .graphml, .osm, .osm.bz2, .xml or .xml.bz2 file", file=path.name)])


def _highway_values(edge: dict) -> set[str]:
    # osmnx's simplification merges ways into one edge and then lists their tags.
    value = edge.get("highway")
    if value is None:
        return set()
    if isinstance(value, (list, tuple, set)):
        return {str(v) for v in value}
    return {str(value)}


def prepare_bike_graph(
    graph: nx.MultiDiGraph,
    speed_kmh: float,
    excluded_highways: Iterable[str] = BIKE_EXCLUDED_HIGHWAYS,
) -> nx.MultiDiGraph:
    """A copy of `graph` that a bike can ride, weighted by riding time.

    Drops every edge that is not a road (railways, rivers and building outlines
    that an OSM extract also holds have no `highway` tag) or that carries one of
    `excluded_highways`; then keeps the largest strongly connected component so
    every point can reach every other. Each edge gets `travel_time_s` = length ÷
    `speed_kmh`, and the graph records the speed for `street_network_matrix`.
    """
    import osmnx  # see load_road_graph

    if not speed_kmh > 0:
        raise ValueError(f"speed_kmh must be positive, got {speed_kmh}")
    excluded = frozenset(excluded_highways)
    rideable = graph.copy()
    unrideable = [
        (u, v, key)
        for u, v, key, edge in rideable.edges(keys=True, data=True)
        if not _highway_values(edge) or _highway_values(edge) & excluded
    ]
    rideable.remove_edges_from(unrideable)
    rideable.remove_nodes_from(list(nx.isolates(rideable)))
    if rideable.number_of_nodes() == 0:
        raise ValueError("the road graph has no rideable roads")
    rideable = osmnx.truncate.largest_component(rideable, strongly=True)
    metres_per_second = speed_kmh / 3.6
    for _, _, edge in rideable.edges(data=True):
        edge[TRAVEL_TIME_WEIGHT] = float(edge["length"]) / metres_per_second
    rideable.graph[_SPEED_ATTRIBUTE] = float(speed_kmh)
    return rideable


def nearest_nodes(
    graph: nx.MultiDiGraph, lats: Sequence[float], lons: Sequence[float]
) -> tuple[np.ndarray, np.ndarray]:
    """The graph node nearest to each point by great circle, and that distance in km.

    Brute force in numpy over blocks of points: exact, and fast enough for a town
    graph (a few thousand nodes). osmnx's own search needs scikit-learn for an
    unprojected graph, which the project does not depend on.
    """
    lat, lon = _checked_points(lats, lons)
    node_ids = np.array(list(graph.nodes))
    node_lat = np.array([graph.nodes[n]["y"] for n in node_ids], dtype=float)
    node_lon = np.array([graph.nodes[n]["x"] for n in node_ids], dtype=float)
    if node_ids.size == 0:
        raise ValueError("the road graph has no nodes")
    nearest = np.empty(lat.size, dtype=node_ids.dtype)
    snap_km = np.empty(lat.size, dtype=float)
    block = max(1, _SNAP_BLOCK_CELLS // node_ids.size)
    for start in range(0, lat.size, block):
        stop = start + block
        distances = great_circle_km(lat[start:stop], lon[start:stop], node_lat, node_lon)
        closest = distances.argmin(axis=1)
        nearest[start:stop] = node_ids[closest]
        snap_km[start:stop] = distances[np.arange(closest.size), closest]
    return nearest, snap_km


def _fastest_simple_graph(graph: nx.MultiDiGraph) -> nx.DiGraph:
    """Collapse parallel edges to the fastest one.

    Dijkstra on a multigraph takes the minimum over parallel edges at every
    relaxation; doing it once here halves the time of each search.
    """
    simple = nx.DiGraph()
    simple.add_nodes_from(graph.nodes)
    for u, v, edge in graph.edges(data=True):
        seconds = float(edge[TRAVEL_TIME_WEIGHT])
        current = simple.get_edge_data(u, v)
        if current is None or seconds < current[TRAVEL_TIME_WEIGHT]:
            simple.add_edge(u, v, **{TRAVEL_TIME_WEIGHT: seconds})
    return simple


def street_network_matrix(
    graph: nx.MultiDiGraph,
    lats: Sequence[float],
    lons: Sequence[float],
    speed_kmh: float,
) -> TravelMatrix:
    """Distances and riding times along the fastest rides on a bike road graph.

    `graph` must come from `prepare_bike_graph` with the same `speed_kmh`. Each point
    is snapped to its nearest node; the straight-line snap distance at both ends is
    ridden at `speed_kmh` and added to the network ride. Two distinct points on the
    same node are still apart by their two snap legs. Minutes are rounded up.
    Raises ValueError if the graph was not prepared, or prepared for another speed.
    """
    prepared_speed = graph.graph.get(_SPEED_ATTRIBUTE)
    if prepared_speed is None:
        raise ValueError("the road graph has no riding times: pass it through prepare_bike_graph first")
    if not math.isclose(prepared_speed, speed_kmh):
        raise ValueError(
            f"the road graph was prepared for {prepared_speed:g} km/h but speed_kmh is {speed_kmh:g}"
        )
    nodes, snap_km = nearest_nodes(graph, lats, lons)  # checks the points first
    simple = _fastest_simple_graph(graph)
    unique_nodes = list(dict.fromkeys(nodes.tolist()))
    position = {node: i for i, node in enumerate(unique_nodes)}
    ride_seconds = np.empty((len(unique_nodes), len(unique_nodes)))
    for i, origin in enumerate(unique_nodes):
        seconds = nx.single_source_dijkstra_path_length(simple, origin, weight=TRAVEL_TIME_WEIGHT)
        for j, target in enumerate(unique_nodes):
            if target not in seconds:
                raise ValueError(
                    f"node {target} cannot be reached from node {origin}: "
                    "the graph is not strongly connected"
                )
            ride_seconds[i, j] = seconds[target]
    # prepare_bike_graph rides every edge at one speed, so the fastest ride is also
    # the shortest and its length follows from its time.
    ride_km = ride_seconds / 3600.0 * speed_kmh
    index = np.array([position[node] for node in nodes.tolist()], dtype=np.int64)
    snap_legs_km = snap_km[:, None] + snap_km[None, :]
    distance = ride_km[np.ix_(index, index)] + snap_legs_km
    hours = ride_seconds[np.ix_(index, index)] / 3600.0 + snap_legs_km / speed_kmh
    np.fill_diagonal(distance, 0.0)
    np.fill_diagonal(hours, 0.0)
    return TravelMatrix(distance_km=distance, minutes=_whole_minutes(hours), source="street_network")
