"""Generate data/sample/: a realistic, reproducible department of 13 managers and ~2,000 retailers.

    python data/generate_sample.py            # writes data/sample/
    python data/generate_sample.py --check    # also loads the result with engine.load

The layout: nine town territories are the cells of a 3 x 3 grid over the central-
Chengdu box of ../shared/geo (30.6528-30.7279 N, 104.0421-104.1296 E), with shops
along streets and around the shop and food points of the OpenStreetMap extract;
four countryside territories are wedges 11-28 km out, their shops clustered in
townships. Seeded: running it again writes byte-identical files. The shared
point file is read only here; the written CSV files stand on their own.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import random
from dataclasses import dataclass
from pathlib import Path

from engine.domain import Department, GeoPoint, Leave, Manager, PairHistory, Retailer
from engine.load import load_department_with_policy, write_department

SEED = 20261123
REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "data" / "sample"
DEFAULT_POIS = REPO.parent / "shared" / "geo" / "chengdu_pois.csv"

TOWN_BOX = (30.6528, 30.7279, 104.0421, 104.1296)  # south, north, west, east
OFFICE = GeoPoint(lat=30.6921, lon=104.0874)  # in the middle cell of the grid
KM_PER_DEGREE_LAT = 111.32

PLAN_WEEK = dt.date(2026, 11, 23)
HISTORY_WEEKS = 4
PAIR_KINDS = ("maintenance", "promotion")

# Slightly fewer A than 20 % keeps the busiest territories plannable in a 3-hour visit block.
CLASS_SHARES = (("A", 0.18), ("B", 0.30), ("C", 0.52))
VISITS_PER_4_WEEKS = {"A": 4, "B": 2, "C": 1}
# Service minutes per class (value, weight): the big customers get longer visits.
SERVICE_MIN = {"A": ((10, 75), (12, 20), (15, 5)), "B": ((8, 80), (10, 20)), "C": ((8, 95), (10, 5))}
POS_TARGET_SHARE, POS_TARGETS_AT_LEAST = 0.08, 4
PROMO_STORE_SHARE, PROMO_STORES_AT_LEAST = 0.03, 2
VOLATILE_SHARE = 0.06
ENTERPRISE_SHARE_OF_A = 0.2

# Opening hours (opens, closes, weight); most shops 08:00-21:00.
TOWN_HOURS = (("08:00", "21:00", 55), ("07:30", "22:00", 12), ("09:00", "21:30", 10), ("08:30", "20:30", 7),
              ("10:00", "22:00", 8), ("00:00", "24:00", 5), ("09:00", "12:00", 3))
COUNTRY_HOURS = (("08:00", "20:00", 50), ("07:00", "19:00", 20), ("08:00", "21:00", 15),
                 ("08:30", "18:30", 10), ("07:30", "12:00", 5))


@dataclass(frozen=True)
class ManagerPlan:
    """Who a manager is and how big a territory they hold."""

    id: str
    name: str
    years: float
    skills: tuple[str, ...]
    area: str
    retailers: int


# Territory sizes keep each manager's due visits within the 15-13-7 visit block (3 h a day):
# about 15 stops a day in town, 14 in the countryside where rides between townships are
# longer; m06, on leave on Wednesday, has a smaller territory for his four visit days.
MANAGERS = (
    ManagerPlan("m01", "张伟", 12.0, ("difficult",), "town", 162),
    ManagerPlan("m02", "王芳", 3.0, ("showcase",), "town", 160),
    ManagerPlan("m03", "李娜", 0.5, (), "town", 158),
    ManagerPlan("m04", "刘洋", 8.5, ("difficult",), "town", 166),
    ManagerPlan("m05", "陈静", 2.5, ("it",), "town", 160),
    ManagerPlan("m06", "杨磊", 1.2, (), "town", 120),
    ManagerPlan("m07", "赵敏", 4.5, (), "town", 164),
    ManagerPlan("m08", "黄勇", 3.5, ("showcase",), "town", 160),
    ManagerPlan("m09", "周杰", 1.8, (), "town", 158),
    ManagerPlan("m10", "吴霞", 15.0, (), "country", 150),
    ManagerPlan("m11", "徐刚", 2.2, (), "country", 150),
    ManagerPlan("m12", "孙丽", 6.0, (), "country", 150),
    ManagerPlan("m13", "马超", 0.9, (), "country", 146),
)
LEAVE = (
    Leave(manager="m06", date=dt.date(2026, 11, 25)),  # a whole day, Wednesday
    Leave(manager="m11", date=dt.date(2026, 11, 26), start="15:00", end="17:30"),  # a doctor's appointment
)

# Shop names: a prefix from syllables (or a family name), then the kind of shop.
SYLLABLES = tuple("佳鑫福顺兴隆盛华利民安康乐丰源祥瑞宏达永金阳新旺益和美家惠友诚信万好天恒泰德星")
FAMILY_NAMES = tuple("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗")
SHOP_KINDS = {
    "A": (("超市", 40), ("烟酒店", 25), ("chain", 20), ("便利店", 15)),
    "B": (("便利店", 30), ("烟酒店", 25), ("超市", 20), ("副食店", 15), ("chain", 10)),
    "C": (("小卖部", 20), ("副食店", 20), ("便利店", 20), ("烟酒店", 15), ("商店", 15), ("便民店", 10)),
}
CHAINS = ("红旗连锁", "舞东风超市", "互惠超市")
TOWN_PLACES = ("建设路", "玉林", "双林", "府青", "猛追湾", "水碾河", "驷马桥", "抚琴", "营门口", "九眼桥",
               "新鸿", "八里庄", "跳蹬河", "沙河堡", "青龙", "东光", "盐市口", "草市街", "红星路", "太升路")
TOWNSHIP_SUFFIXES = ("镇", "镇", "乡", "场")


def pick(rng: random.Random, weighted: tuple[tuple, ...]) -> tuple:
    """One (value, ..., weight) tuple, chosen by its weight."""
    return rng.choices(weighted, weights=[item[-1] for item in weighted])[0]


def km_to_degrees(north_km: float, east_km: float, at_lat: float) -> tuple[float, float]:
    return north_km / KM_PER_DEGREE_LAT, east_km / (KM_PER_DEGREE_LAT * math.cos(math.radians(at_lat)))


def read_pois(path: Path) -> list[tuple[float, float]]:
    """(lat, lon) of the shop and food points in the OpenStreetMap extract: where shops cluster."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [(float(row["lat"]), float(row["lon"])) for row in csv.DictReader(handle)
                if row["shop"] or row["amenity"] in ("restaurant", "cafe", "fast_food", "marketplace")]


def town_cells() -> list[tuple[float, float, float, float]]:
    """The 3 x 3 grid cells of the town box, north-west first, as (south, north, west, east)."""
    south, north, west, east = TOWN_BOX
    height, width = (north - south) / 3, (east - west) / 3
    return [(north - (row + 1) * height, north - row * height, west + col * width, west + (col + 1) * width)
            for row in range(3) for col in range(3)]


def town_locations(rng: random.Random, cell: tuple[float, float, float, float], count: int,
                   pois: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Shops along a few streets of the cell and around its shop points; a few anywhere."""
    south, north, west, east = cell
    anchors = [(lat, lon) for lat, lon in pois if south <= lat <= north and west <= lon <= east]
    streets = []
    for _ in range(10):
        if rng.random() < 0.5:  # east-west street
            lat = rng.uniform(south, north)
            lon_a, lon_b = sorted((rng.uniform(west, east), rng.uniform(west, east)))
            streets.append(((lat, lon_a), (lat, lon_b)))
        else:
            lon = rng.uniform(west, east)
            lat_a, lat_b = sorted((rng.uniform(south, north), rng.uniform(south, north)))
            streets.append(((lat_a, lon), (lat_b, lon)))
    jitter_lat, jitter_lon = km_to_degrees(0.015, 0.015, south)
    cluster_lat, cluster_lon = km_to_degrees(0.08, 0.08, south)
    locations: list[tuple[float, float]] = []
    while len(locations) < count:
        draw = rng.random()
        if draw < 0.3 and anchors:
            lat, lon = rng.choice(anchors)
            lat, lon = rng.gauss(lat, cluster_lat), rng.gauss(lon, cluster_lon)
        elif draw < 0.88:
            (lat_a, lon_a), (lat_b, lon_b) = rng.choice(streets)
            along = rng.random()
            lat = lat_a + along * (lat_b - lat_a) + rng.gauss(0, jitter_lat)
            lon = lon_a + along * (lon_b - lon_a) + rng.gauss(0, jitter_lon)
        else:
            lat, lon = rng.uniform(south, north), rng.uniform(west, east)
        if south <= lat <= north and west <= lon <= east:
            locations.append((lat, lon))
    return locations


def township_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = "".join(rng.sample(SYLLABLES, 2)) + rng.choice(TOWNSHIP_SUFFIXES)
        if name not in taken:
            taken.add(name)
            return name


def country_locations(rng: random.Random, bearing_deg: float, count: int,
                      taken_townships: set[str]) -> list[tuple[float, float, str]]:
    """Shops of a countryside wedge: clustered in 4-6 townships 11-28 km out, a few by the road."""
    townships = []
    for _ in range(rng.randint(4, 6)):
        bearing = math.radians(bearing_deg + rng.uniform(-35, 35))
        distance = rng.uniform(11, 28)
        dlat, dlon = km_to_degrees(distance * math.cos(bearing), distance * math.sin(bearing), OFFICE.lat)
        townships.append((OFFICE.lat + dlat, OFFICE.lon + dlon, rng.uniform(0.25, 0.6),
                          township_name(rng, taken_townships), rng.uniform(1, 3)))
    locations = []
    while len(locations) < count:
        if rng.random() < 0.9:
            lat, lon, spread_km, place, _ = pick(rng, tuple(townships))
            dlat, dlon = km_to_degrees(rng.gauss(0, spread_km), rng.gauss(0, spread_km), lat)
            locations.append((lat + dlat, lon + dlon, place))
        else:  # a shop by the road between two townships
            (lat_a, lon_a, *_), (lat_b, lon_b, _, place, _) = rng.sample(townships, 2)
            along = rng.random()
            locations.append((lat_a + along * (lat_b - lat_a), lon_a + along * (lon_b - lon_a), place))
    return locations


def shop_name(rng: random.Random, retailer_class: str, promo_store: bool, place: str, area: str,
              taken: set[str]) -> str:
    """A plausible, unique Chinese shop name; promotion stores are supermarkets."""
    while True:
        kind = "超市" if promo_store and rng.random() < 0.6 else pick(rng, SHOP_KINDS[retailer_class])[0]
        if promo_store and kind not in ("超市", "chain"):
            kind = "chain"
        if kind == "chain":
            branch = rng.choice(TOWN_PLACES) if area == "town" else place.rstrip("镇乡场")
            name = f"{rng.choice(CHAINS)}({branch}{rng.choice(('', '二', '三', '东', '西'))}店)"
        else:
            style = rng.random()
            if style < 0.6:
                prefix = "".join(rng.sample(SYLLABLES, 2))
            elif style < 0.8:
                prefix = "老" + rng.choice(FAMILY_NAMES)
            else:
                prefix = rng.choice(FAMILY_NAMES) + rng.choice(("记", "姐", "哥", "家"))
            if area == "country" and rng.random() < 0.4:
                prefix = place.rstrip("镇乡场") + prefix
            name = prefix + kind
        if name not in taken:
            taken.add(name)
            return name


def territory_retailers(rng: random.Random, plan: ManagerPlan, locations: list[tuple[float, float, str]],
                        next_number: int, taken_names: set[str]) -> list[Retailer]:
    """A manager's retailers: classes by exact shares, flags by shares with per-manager minimums."""
    count = len(locations)
    classes: list[str] = []
    for retailer_class, share in CLASS_SHARES[:-1]:
        classes += [retailer_class] * round(share * count)
    classes += [CLASS_SHARES[-1][0]] * (count - len(classes))
    rng.shuffle(classes)
    by_class = {c: [i for i, rc in enumerate(classes) if rc == c] for c, _ in CLASS_SHARES}
    big = by_class["A"] + by_class["B"]
    pos_targets = set(rng.sample(big, max(POS_TARGETS_AT_LEAST, round(POS_TARGET_SHARE * count))))
    promo_stores = set(rng.sample(big, max(PROMO_STORES_AT_LEAST, round(PROMO_STORE_SHARE * count))))
    enterprises = set(rng.sample(by_class["A"], round(ENTERPRISE_SHARE_OF_A * len(by_class["A"]))))
    volatile = set(rng.sample(range(count), round(VOLATILE_SHARE * count)))
    hours = TOWN_HOURS if plan.area == "town" else COUNTRY_HOURS
    retailers = []
    for index, ((lat, lon, place), retailer_class) in enumerate(zip(locations, classes, strict=True)):
        promo = index in promo_stores
        opens, closes, _ = pick(rng, hours)
        if promo and closes == "12:00":  # an in-store promotion needs the shop open in the afternoon
            opens, closes = "08:00", "21:00"
        service = pick(rng, SERVICE_MIN[retailer_class])[0]
        retailers.append(Retailer(
            id=f"R{next_number + index:05d}",
            name=shop_name(rng, retailer_class, promo, place, plan.area, taken_names),
            lat=round(lat, 6), lon=round(lon, 6), manager=plan.id, retailer_class=retailer_class,
            visits_per_4_weeks=VISITS_PER_4_WEEKS[retailer_class], area=plan.area,
            opens=opens, closes=closes, service_min=service,
            pos_target=index in pos_targets, promo_store=promo,
            volatile=index in volatile, enterprise=index in enterprises,
            extra={"place": place},
        ))
    return retailers


def weekly_groups(rng: random.Random, ids: list[str], years: dict[str, float],
                  earlier: list[list[tuple[str, ...]]]) -> list[tuple[str, ...]]:
    """One week's pairs (a trio if the head-count is odd): of many random groupings, the one
    with fewest partners repeated from earlier weeks and most senior-newcomer pairs."""
    seen = {frozenset(pair) for week in earlier for group in week for pair in pairs_of(group)}

    def cost(groups: list[tuple[str, ...]]) -> float:
        repeated = sum(frozenset(pair) in seen for group in groups for pair in pairs_of(group))
        coaching = sum(max(years[a], years[b]) >= 5 and min(years[a], years[b]) < 2
                       for group in groups for a, b in pairs_of(group))
        return 10 * repeated - 3 * coaching + rng.random()

    best, best_cost = [], math.inf
    for _ in range(400):
        order = ids[:]
        rng.shuffle(order)
        groups = [tuple(sorted(order[i:i + 2])) for i in range(0, len(order) - 3, 2)]
        groups.append(tuple(sorted(order[len(groups) * 2:])))  # the last two, or three
        groups_cost = cost(groups)
        if groups_cost < best_cost:
            best, best_cost = sorted(groups), groups_cost
    return best


def pairs_of(group: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(a, b) for i, a in enumerate(group) for b in group[i + 1:]]


def pair_history(rng: random.Random) -> list[PairHistory]:
    """The previous weeks' pairs; the same partners do maintenance and promotion in a week."""
    ids = [plan.id for plan in MANAGERS]
    years = {plan.id: plan.years for plan in MANAGERS}
    weeks: list[list[tuple[str, ...]]] = []
    history = []
    for back in range(HISTORY_WEEKS, 0, -1):
        week_start = PLAN_WEEK - dt.timedelta(weeks=back)
        groups = weekly_groups(rng, ids, years, weeks)
        weeks.append(groups)
        history += [PairHistory(week_start=week_start, manager=a, partner=b, kind=kind)
                    for kind in PAIR_KINDS for group in groups for a, b in pairs_of(group)]
    return history


def build_department(pois: list[tuple[float, float]]) -> Department:
    """The whole sample department, from the fixed seed."""
    rng = random.Random(SEED)
    retailers: list[Retailer] = []
    taken_names: set[str] = set()
    taken_townships: set[str] = set()
    cells = iter(town_cells())
    bearings = iter((45.0, 135.0, 225.0, 315.0))
    for cell_number, plan in enumerate(MANAGERS, start=1):
        if plan.area == "town":
            label = f"城区{'一二三四五六七八九'[cell_number - 1]}片"
            locations = [(lat, lon, label) for lat, lon in town_locations(rng, next(cells), plan.retailers, pois)]
        else:
            locations = country_locations(rng, next(bearings), plan.retailers, taken_townships)
        retailers += territory_retailers(rng, plan, locations, len(retailers) + 1, taken_names)
    return Department(
        name="城区营销部第一市场部",
        office=OFFICE,
        policy="15-13-7",
        market_manager="李建国",
        managers=tuple(Manager(id=p.id, name=p.name, years=p.years, skills=p.skills) for p in MANAGERS),
        retailers=tuple(retailers),
        leave=LEAVE,
        history=tuple(pair_history(rng)),
    )


def weekly_load(department: Department) -> list[tuple[str, int, float, float, float]]:
    """Per manager: retailers, due visits in an average week, stops and service minutes per visit day."""
    leave_days = {leave.manager: 1 for leave in department.leave if leave.whole_day}
    rows = []
    for manager in department.managers:
        territory = department.territory(manager.id)
        visits = sum(r.visits_per_4_weeks for r in territory) / 4
        service = sum(r.visits_per_4_weeks * r.service_min for r in territory) / 4
        days = 5 - leave_days.get(manager.id, 0)
        rows.append((manager.id, len(territory), visits, visits / days, service / days))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write (default data/sample)")
    parser.add_argument("--pois", type=Path, default=DEFAULT_POIS, help="chengdu_pois.csv of ../shared/geo")
    parser.add_argument("--check", action="store_true", help="load the written folder with engine.load")
    args = parser.parse_args()
    department = build_department(read_pois(args.pois))
    write_department(department, args.out)
    print(f"wrote {args.out}: {len(department.managers)} managers, {len(department.retailers)} retailers")
    print("manager  retailers  visits/week  stops/day  service min/day")
    for manager_id, count, visits, stops, service in weekly_load(department):
        print(f"{manager_id:7}  {count:9}  {visits:11.1f}  {stops:9.1f}  {service:15.0f}")
    if args.check:
        loaded, _ = load_department_with_policy(args.out)
        assert loaded == department, "the written sample does not load back equal"
        print("loads back equal")


if __name__ == "__main__":
    main()
