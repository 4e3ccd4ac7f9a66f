"""Travel matrices (engine/routing/matrix.py): straight-line and street-network."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from geopy.distance import geodesic
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine.policy import TravelRules, load_policy
from engine.routing.matrix import (
    BIKE_EXCLUDED_HIGHWAYS,
    TRAVEL_TIME_WEIGHT,
    TravelMatrix,
    great_circle_km,
    load_road_graph,
    nearest_nodes,
    prepare_bike_graph,
    straight_line_matrix,
    street_network_matrix,
)
from tests.locations import SHARED

GEO_DIR = SHARED / "geo"
CHENGDU_EXTRACT = GEO_DIR / "chengdu.osm.bz2"
# The box the extract was cut to (shared/geo/README.md).
CHENGDU_BOX = {"lat": (30.6528, 30.7279), "lon": (104.0421, 104.1296)}

# A sphere differs from the WGS-84 ellipsoid by up to 0.56 % (north-south near the
# equator); the product runs in China, from Hainan (18° N) to Heilongjiang (54° N),
# where the gap stays below 0.47 %.
china_lat = st.floats(min_value=18.0, max_value=54.0)
china_lon = st.floats(min_value=73.0, max_value=135.0)
nearby_offset = st.floats(min_value=-0.5, max_value=0.5)

RULES = TravelRules(
    office_field_buffer_min=20,
    field_transfer_min=10,
    town_speed_kmh=12.0,
    country_speed_kmh=24.0,
    detour_factor=1.25,
)


@settings(max_examples=200, deadline=None)
@given(
    lat_a=china_lat,
    lon_a=china_lon,
    far=st.booleans(),
    lat_b=china_lat,
    lon_b=china_lon,
    dlat=nearby_offset,
    dlon=nearby_offset,
)
def test_haversine_within_half_a_percent_of_geodesic(lat_a, lon_a, far, lat_b, lon_b, dlat, dlon):
    """great_circle_km agrees with geopy's WGS-84 geodesic within 0.5 % for points
    in China, both across the country and a few km apart."""
    if not far:
        lat_b, lon_b = min(max(lat_a + dlat, 18.0), 54.0), lon_a + dlon
    reference = geodesic((lat_a, lon_a), (lat_b, lon_b)).km
    assume(reference > 0.01)
    haversine = great_circle_km([lat_a], [lon_a], [lat_b], [lon_b])[0, 0]
    assert abs(haversine - reference) / reference < 0.005


def test_one_degree_of_latitude_on_the_mean_sphere():
    """One degree along a meridian is 2πR/360 = 111.195 km on the mean-radius sphere."""
    assert great_circle_km([30.0], [104.0], [31.0], [104.0])[0, 0] == pytest.approx(111.195, abs=1e-3)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(china_lat, china_lon, st.sampled_from(["town", "country"])), min_size=1, max_size=25)
)
def test_straight_line_matrix_is_symmetric_with_zero_diagonal(points):
    """Both matrices are square, exactly symmetric, zero on the diagonal and non-negative."""
    lats, lons, areas = zip(*points, strict=True)
    matrix = straight_line_matrix(lats, lons, areas, RULES)
    n = len(points)
    assert matrix.distance_km.shape == matrix.minutes.shape == (n, n)
    assert np.array_equal(matrix.distance_km, matrix.distance_km.T)
    assert np.array_equal(matrix.minutes, matrix.minutes.T)
    assert not matrix.distance_km.diagonal().any() and not matrix.minutes.diagonal().any()
    assert (matrix.distance_km >= 0).all() and (matrix.minutes >= 0).all()
    assert matrix.source == "straight_line"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(30.60, 30.80), st.floats(104.00, 104.20)), min_size=3, max_size=15
    )
)
def test_straight_line_matrix_obeys_the_triangle_inequality(points):
    """Going via a third point is never shorter, in km or (one speed, rounded up) in minutes."""
    lats, lons = zip(*points, strict=True)
    matrix = straight_line_matrix(lats, lons, ["town"] * len(points), RULES)
    km, minutes = matrix.distance_km, matrix.minutes
    via_km = km[:, :, None] + km[None, :, :]  # [i, j, k] = i -> j -> k
    assert (km[:, None, :] <= via_km + 1e-9).all()
    assert (minutes[:, None, :] <= minutes[:, :, None] + minutes[None, :, :]).all()


def test_straight_line_distance_is_great_circle_times_detour():
    """distance_km is the haversine distance stretched by the policy's detour factor."""
    lats, lons = [30.66, 30.70, 30.72], [104.05, 104.08, 104.12]
    matrix = straight_line_matrix(lats, lons, ["town"] * 3, RULES)
    expected = great_circle_km(lats, lons) * RULES.detour_factor
    assert np.allclose(matrix.distance_km, expected)


def test_town_legs_ride_at_town_speed_and_country_legs_at_country_speed():
    """town-town legs use town_speed_kmh; a leg with a country end uses country_speed_kmh."""
    # Two points 1° of latitude apart: 111.195 km × 1.25 = 138.99 km on the road.
    lats, lons = [30.0, 31.0], [104.0, 104.0]
    road_km = 111.195 * RULES.detour_factor
    town = straight_line_matrix(lats, lons, ["town", "town"], RULES)
    mixed = straight_line_matrix(lats, lons, ["town", "country"], RULES)
    country = straight_line_matrix(lats, lons, ["country", "country"], RULES)
    assert town.minutes[0, 1] == math.ceil(road_km / RULES.town_speed_kmh * 60)  # 695
    assert mixed.minutes[0, 1] == mixed.minutes[1, 0] == math.ceil(road_km / RULES.country_speed_kmh * 60)
    assert country.minutes[0, 1] == mixed.minutes[0, 1]
    assert np.array_equal(town.distance_km, mixed.distance_km)


def test_minutes_round_up_but_exact_minutes_stay():
    """A leg of 4.2 min costs 5; a leg of exactly n minutes costs n, not n + 1."""
    # A speed of exactly half a degree of latitude per hour makes that leg 60 min.
    exact = TravelRules(
        office_field_buffer_min=0,
        field_transfer_min=0,
        town_speed_kmh=great_circle_km([30.0], [104.0], [30.5], [104.0])[0, 0],
        country_speed_kmh=60.0,
        detour_factor=1.0,
    )
    matrix = straight_line_matrix([30.0, 30.5], [104.0, 104.0], ["town", "town"], exact)
    assert matrix.minutes[0, 1] == 60
    short = straight_line_matrix([30.0, 30.0], [104.0, 104.01], ["town", "town"], RULES)
    hours = short.distance_km[0, 1] / RULES.town_speed_kmh
    assert short.minutes[0, 1] == math.ceil(hours * 60) and hours * 60 % 1 > 0


def test_speeds_and_detour_come_from_the_shipped_policy():
    """With policy 15-13-7 a 1 km crow-fly town leg is 1.3 km at 12 km/h: 6.5 -> 7 minutes."""
    travel = load_policy("15-13-7").travel
    one_km_in_degrees = math.degrees(1.0 / 6371.0088)
    matrix = straight_line_matrix([30.0, 30.0 + one_km_in_degrees], [104.0, 104.0], ["town", "town"], travel)
    assert matrix.distance_km[0, 1] == pytest.approx(travel.detour_factor)
    assert matrix.minutes[0, 1] == math.ceil(travel.detour_factor / travel.town_speed_kmh * 60)


def test_straight_line_matrix_for_400_points_has_the_right_shape():
    """An office plus 399 retailers gives a 400 x 400 matrix of whole, non-negative minutes
    (its speed is measured in benchmarks/RESULTS.md, not asserted here)."""
    rng = np.random.default_rng(7)
    lats = rng.uniform(*CHENGDU_BOX["lat"], 400)
    lons = rng.uniform(*CHENGDU_BOX["lon"], 400)
    areas = rng.choice(["town", "country"], 400)
    matrix = straight_line_matrix(lats, lons, areas, RULES)
    assert matrix.size == 400
    assert matrix.minutes.shape == (400, 400) and (matrix.minutes >= 0).all()


@pytest.mark.parametrize(
    ("lats", "lons", "areas", "message"),
    [
        ([30.0, 30.1], [104.0], ["town", "town"], "longitudes"),
        ([30.0, 30.1], [104.0, 104.1], ["town"], "areas for"),
        ([30.0, 30.1], [104.0, 104.1], ["town", "suburb"], "'town' or 'country'"),
        ([95.0, 30.1], [104.0, 104.1], ["town", "town"], r"\[-90, 90\]"),
        ([float("nan"), 30.1], [104.0, 104.1], ["town", "town"], "finite"),
    ],
)
def test_straight_line_matrix_rejects_bad_input(lats, lons, areas, message):
    """Mismatched lengths, unknown areas and impossible coordinates raise ValueError."""
    with pytest.raises(ValueError, match=message):
        straight_line_matrix(lats, lons, areas, RULES)


def test_travel_matrix_cannot_be_changed_in_place():
    """A shared matrix is read-only: writing into it raises."""
    matrix = straight_line_matrix([30.0, 30.1], [104.0, 104.1], ["town", "town"], RULES)
    with pytest.raises(ValueError):
        matrix.minutes[0, 1] = 0
    with pytest.raises(ValueError):
        matrix.distance_km[0, 1] = 0.0


def test_travel_matrix_rejects_fractional_minutes():
    """minutes must be whole: a float array is refused."""
    with pytest.raises(ValueError, match="whole minutes"):
        TravelMatrix(distance_km=np.zeros((2, 2)), minutes=np.zeros((2, 2)), source="straight_line")


def test_load_road_graph_refuses_unknown_files(tmp_path):
    """A missing path raises FileNotFoundError; an unknown suffix raises ValueError."""
    with pytest.raises(FileNotFoundError):
        load_road_graph(tmp_path / "absent.graphml")
    (tmp_path / "roads.csv").write_text("u,v\n")
    with pytest.raises(ValueError, match=r"expected a \.graphml"):
        load_road_graph(tmp_path / "roads.csv")


# --- street network on the real central-Chengdu extract ----------------------------

requires_chengdu = pytest.mark.skipif(
    not CHENGDU_EXTRACT.is_file(),
    reason=f"street-network tests need the Chengdu OSM extract at {CHENGDU_EXTRACT} "
    "(shared/geo/ beside the repository clone)",
)


@pytest.fixture(scope="module")
def chengdu_bike_graph() -> nx.MultiDiGraph:
    """The Chengdu extract prepared for bikes at 12 km/h; loaded once (about 5 s)."""
    return prepare_bike_graph(load_road_graph(CHENGDU_EXTRACT), speed_kmh=12.0)


@pytest.fixture(scope="module")
def sampled_nodes(chengdu_bike_graph) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of 40 random nodes of the bike graph (seeded)."""
    rng = np.random.default_rng(3)
    nodes = list(chengdu_bike_graph.nodes)
    chosen = [nodes[i] for i in rng.choice(len(nodes), 40, replace=False)]
    lats = np.array([chengdu_bike_graph.nodes[n]["y"] for n in chosen])
    lons = np.array([chengdu_bike_graph.nodes[n]["x"] for n in chosen])
    return lats, lons


@requires_chengdu
def test_bike_graph_has_only_rideable_roads_and_is_strongly_connected(chengdu_bike_graph):
    """No motorway/trunk/footway/steps or non-road edges survive; every node reaches every other."""
    assert chengdu_bike_graph.number_of_nodes() > 2000
    for _, _, edge in chengdu_bike_graph.edges(data=True):
        highway = edge.get("highway")
        values = set(highway) if isinstance(highway, list) else {highway}
        assert None not in values
        assert not values & BIKE_EXCLUDED_HIGHWAYS
        assert edge[TRAVEL_TIME_WEIGHT] == pytest.approx(edge["length"] / (12.0 / 3.6))
    assert nx.is_strongly_connected(chengdu_bike_graph)


@requires_chengdu
def test_points_on_nodes_snap_to_themselves(chengdu_bike_graph, sampled_nodes):
    """A point placed on a node snaps to that node at zero distance."""
    lats, lons = sampled_nodes
    nodes, snap_km = nearest_nodes(chengdu_bike_graph, lats, lons)
    assert np.allclose(snap_km, 0.0, atol=1e-9)
    assert np.allclose([chengdu_bike_graph.nodes[n]["y"] for n in nodes], lats)


@requires_chengdu
def test_road_distance_is_at_least_the_straight_line_and_plausibly_longer(
    chengdu_bike_graph, sampled_nodes
):
    """Between nodes, riding is never shorter than the crow flies, and the median
    detour lies in 1.1–1.6 (the extract's typical ratio is about 1.3)."""
    lats, lons = sampled_nodes
    matrix = street_network_matrix(chengdu_bike_graph, lats, lons, speed_kmh=12.0)
    crow_km = great_circle_km(lats, lons)
    off_diagonal = ~np.eye(len(lats), dtype=bool)
    # Edge lengths are themselves great-circle sums, so allow only rounding slack.
    assert (matrix.distance_km[off_diagonal] >= crow_km[off_diagonal] - 1e-6).all()
    ratio = np.median(matrix.distance_km[off_diagonal] / crow_km[off_diagonal])
    assert 1.1 < ratio < 1.6
    assert matrix.source == "street_network"
    assert not matrix.distance_km.diagonal().any() and not matrix.minutes.diagonal().any()
    expected_minutes = np.ceil(matrix.distance_km / 12.0 * 60 - 1e-9)
    assert np.array_equal(matrix.minutes, expected_minutes)


@requires_chengdu
def test_snap_legs_are_added_at_both_ends(chengdu_bike_graph, sampled_nodes):
    """Moving a point off its node lengthens each of its rides by exactly the snap distance."""
    lats, lons = sampled_nodes[0][:3].copy(), sampled_nodes[1][:3].copy()
    on_nodes = street_network_matrix(chengdu_bike_graph, lats, lons, speed_kmh=12.0)
    lats[0] += 0.00005  # about 5.6 m north: still nearest to the same node
    nodes_before, _ = nearest_nodes(chengdu_bike_graph, sampled_nodes[0][:1], sampled_nodes[1][:1])
    nodes_after, snap_km = nearest_nodes(chengdu_bike_graph, lats[:1], lons[:1])
    assert nodes_after[0] == nodes_before[0] and snap_km[0] > 0.005
    moved = street_network_matrix(chengdu_bike_graph, lats, lons, speed_kmh=12.0)
    assert np.allclose(moved.distance_km[0, 1:], on_nodes.distance_km[0, 1:] + snap_km[0])
    assert np.allclose(moved.distance_km[1:, 0], on_nodes.distance_km[1:, 0] + snap_km[0])
    assert np.allclose(moved.distance_km[1:, 1:], on_nodes.distance_km[1:, 1:])


@requires_chengdu
def test_street_matrix_refuses_a_speed_the_graph_was_not_prepared_for(chengdu_bike_graph):
    """Riding times were fixed at preparation; asking for another speed raises ValueError."""
    with pytest.raises(ValueError, match="prepared for 12 km/h"):
        street_network_matrix(chengdu_bike_graph, [30.7], [104.1], speed_kmh=25.0)


def test_street_matrix_refuses_an_unprepared_graph():
    """A raw road graph has no riding times: street_network_matrix asks for preparation."""
    raw = nx.MultiDiGraph(crs="epsg:4326")
    raw.add_node(1, y=30.7, x=104.1)
    with pytest.raises(ValueError, match="prepare_bike_graph"):
        street_network_matrix(raw, [30.7], [104.1], speed_kmh=12.0)


def test_prepare_bike_graph_drops_excluded_roads_and_keeps_the_strong_component():
    """On a toy graph: a trunk shortcut and a railway are dropped, a one-way dead end
    outside the strongly connected core is cut, and riding times follow the speed."""
    toy = nx.MultiDiGraph(crs="epsg:4326")
    for node, (lat, lon) in enumerate([(30.0, 104.0), (30.0, 104.01), (30.01, 104.01), (30.02, 104.02)]):
        toy.add_node(node, y=lat, x=lon)
    for u, v in [(0, 1), (1, 0), (1, 2), (2, 1)]:
        toy.add_edge(u, v, highway="residential", length=1000.0)
    toy.add_edge(0, 2, highway="trunk", length=500.0)
    toy.add_edge(2, 0, length=500.0)  # a railway: no highway tag
    toy.add_edge(2, 3, highway="residential", length=300.0)  # one way in, no way out
    bike = prepare_bike_graph(toy, speed_kmh=18.0)
    assert set(bike.nodes) == {0, 1, 2}
    assert not bike.has_edge(0, 2) and not bike.has_edge(2, 0)
    assert bike.edges[0, 1, 0][TRAVEL_TIME_WEIGHT] == pytest.approx(200.0)  # 1 km at 5 m/s
    matrix = street_network_matrix(bike, [30.0, 30.01], [104.0, 104.01], speed_kmh=18.0)
    assert matrix.distance_km[0, 1] == pytest.approx(2.0)
    assert matrix.minutes[0, 1] == 7  # 400 s -> 6.67 min, rounded up
