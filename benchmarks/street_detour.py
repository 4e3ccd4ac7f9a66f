"""How good is straight line × detour factor against real Chengdu streets?

Loads the central-Chengdu OSM extract (shared/geo/ beside the repository), prepares
it for bikes at the policy's town speed, samples random point pairs inside the
extract's box (seeded) and compares the policy's straight-line estimate with the
street-network ride. Also times both matrix builders. Prints markdown:

    python benchmarks/street_detour.py > out/street_detour.md   (tables of benchmarks/RESULTS.md §5)
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np

from engine.policy import load_policy
from engine.routing.matrix import (
    great_circle_km,
    load_road_graph,
    nearest_nodes,
    prepare_bike_graph,
    straight_line_matrix,
    street_network_matrix,
)

EXTRACT = Path(__file__).resolve().parents[1].parent / "shared" / "geo" / "chengdu.osm.bz2"
BOX_LAT = (30.6528, 30.7279)
BOX_LON = (104.0421, 104.1296)
POLICY = "15-13-7"
# Below this crow-fly distance the snap legs dominate and the ratio says little.
MIN_PAIR_KM = 0.3


def random_points(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` points uniformly inside the extract's box."""
    return rng.uniform(*BOX_LAT, count), rng.uniform(*BOX_LON, count)


def seconds_of(action, repeats: int = 1) -> float:
    """Fastest of `repeats` wall-clock timings of `action()`, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=300, help="random point pairs to compare")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    if not EXTRACT.is_file():
        sys.exit(f"the Chengdu extract is missing: expected {EXTRACT}")

    travel = load_policy(POLICY).travel
    speed = travel.town_speed_kmh
    rng = np.random.default_rng(args.seed)

    start = time.perf_counter()
    raw = load_road_graph(EXTRACT)
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    bike = prepare_bike_graph(raw, speed_kmh=speed)
    prepare_s = time.perf_counter() - start

    # One street matrix over all origins and destinations: one Dijkstra per point.
    lats, lons = random_points(rng, 2 * args.pairs)
    origin = np.arange(args.pairs)
    target = origin + args.pairs
    start = time.perf_counter()
    road = street_network_matrix(bike, lats, lons, speed_kmh=speed)
    pairs_s = time.perf_counter() - start
    estimate = straight_line_matrix(lats, lons, ["town"] * lats.size, travel)
    crow_km = great_circle_km(lats, lons)[origin, target]
    snapped, snap_km = nearest_nodes(bike, lats, lons)
    node_lats = np.array([bike.nodes[n]["y"] for n in snapped.tolist()])
    node_lons = np.array([bike.nodes[n]["x"] for n in snapped.tolist()])
    node_crow_km = great_circle_km(node_lats, node_lons)[origin, target]

    kept = crow_km >= MIN_PAIR_KM
    road_km = road.distance_km[origin, target][kept]
    ratio = road_km / crow_km[kept]
    # The same rides without the straight snap legs, between the snapped nodes.
    network_km = road_km - snap_km[origin][kept] - snap_km[target][kept]
    on_network = node_crow_km[kept] > 0
    node_ratio = network_km[on_network] / node_crow_km[kept][on_network]
    road_min = road.minutes[origin, target][kept]
    estimate_min = estimate.minutes[origin, target][kept]
    error_pct = (estimate_min - road_min) / road_min * 100

    sl_lats, sl_lons = random_points(rng, 400)
    sl_areas = rng.choice(["town", "country"], 400)
    straight_400_s = seconds_of(lambda: straight_line_matrix(sl_lats, sl_lons, sl_areas, travel), 20)
    street_100_s = seconds_of(lambda: street_network_matrix(bike, sl_lats[:100], sl_lons[:100], speed))
    street_400_s = seconds_of(lambda: street_network_matrix(bike, sl_lats, sl_lons, speed))

    print("# Travel matrices: straight line × detour vs Chengdu streets\n")
    print(f"Command: `python benchmarks/street_detour.py --pairs {args.pairs} --seed {args.seed}`  ")
    print(
        f"Machine: {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, shared 2-core box (timings are wall clock, indicative).  "
    )
    print(
        f"Extract: `shared/geo/chengdu.osm.bz2`; bike graph {bike.number_of_nodes():,} nodes / "
        f"{bike.number_of_edges():,} edges (from {raw.number_of_nodes():,} / "
        f"{raw.number_of_edges():,}).  "
    )
    print(
        f"Policy {POLICY}: detour factor {travel.detour_factor:g}, town speed {speed:g} km/h. "
        f"{kept.sum()} of {args.pairs} random pairs kept (crow-fly ≥ {MIN_PAIR_KM} km; "
        f"median {np.median(crow_km[kept]):.2f} km). Snap distance to the nearest node: "
        f"median {np.median(snap_km) * 1000:.0f} m, p90 {np.percentile(snap_km, 90) * 1000:.0f} m, "
        f"max {snap_km.max() * 1000:.0f} m (included in road figures).\n"
    )
    print("## Road distance ÷ straight-line distance\n")
    print("| between | median | mean | p10 | p90 |")
    print("|---|---:|---:|---:|---:|")
    for label, values in (
        ("the random points (door to door, snap legs included)", ratio),
        ("their snapped nodes (network only)", node_ratio),
    ):
        print(
            f"| {label} | {np.median(values):.3f} | {values.mean():.3f} "
            f"| {np.percentile(values, 10):.3f} | {np.percentile(values, 90):.3f} |"
        )
    print()
    print(f"## Travel time: straight line × {travel.detour_factor:g} vs street network (whole minutes)\n")
    print("| mean abs error | bias (mean signed) | median signed | p10 signed | p90 signed |")
    print("|---:|---:|---:|---:|---:|")
    print(
        f"| {np.abs(error_pct).mean():.1f} % | {error_pct.mean():+.1f} % "
        f"| {np.median(error_pct):+.1f} % | {np.percentile(error_pct, 10):+.1f} % "
        f"| {np.percentile(error_pct, 90):+.1f} % |\n"
    )
    print("Signed error = (estimate − road) ÷ road; negative means the straight line is optimistic.\n")
    print("## Timings\n")
    print("| step | seconds |")
    print("|---|---:|")
    print(f"| load `chengdu.osm.bz2` (osmnx.graph_from_xml) | {load_s:.2f} |")
    print(f"| prepare_bike_graph | {prepare_s:.2f} |")
    print(f"| straight_line_matrix, 400 points (best of 20) | {straight_400_s:.4f} |")
    print(f"| street_network_matrix, 100 points | {street_100_s:.2f} |")
    print(f"| street_network_matrix, 400 points | {street_400_s:.2f} |")
    print(f"| street_network_matrix, {2 * args.pairs} points (the pairs above) | {pairs_s:.2f} |")


if __name__ == "__main__":
    main()
