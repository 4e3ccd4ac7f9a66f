"""One-tap navigation from the phone page (SPEC §3: the day's route on a bike): a link
that opens Amap or Baidu Maps at a retailer. The department's coordinates are WGS-84;
Amap reads GCJ-02 and Baidu BD-09, so each link carries the point converted by the
coordTransform library."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from coordTransform import wgs84_to_bd09, wgs84_to_gcj02

AMAP_NAVIGATION = "https://uri.amap.com/navigation"
BAIDU_DIRECTION = "https://api.map.baidu.com/direction"
APP_NAME = "fieldweek"


@dataclass(frozen=True)
class NavigationLinks:
    """A place in both Chinese map datums and the links that open each map there."""

    gcj_lat: float
    gcj_lon: float
    bd_lat: float
    bd_lon: float
    amap: str
    baidu: str


def navigation_links(lat: float, lon: float, name: str) -> NavigationLinks:
    """Links that start riding directions to (lat, lon) (WGS-84) named `name`; six decimals
    of a degree keep the point within 0.2 m."""
    gcj_lon, gcj_lat = wgs84_to_gcj02(lon, lat)
    bd_lon, bd_lat = wgs84_to_bd09(lon, lat)
    label = quote(name, safe="")
    amap = (
        f"{AMAP_NAVIGATION}?to={gcj_lon:.6f},{gcj_lat:.6f},{label}&mode=ride&coordinate=gaode"
        f"&callnative=1&src={APP_NAME}"
    )
    baidu = (
        f"{BAIDU_DIRECTION}?destination={quote(f'latlng:{bd_lat:.6f},{bd_lon:.6f}|name:', safe=':,')}"
        f"{label}&mode=riding&coord_type=bd09ll&output=html&src={APP_NAME}"
    )
    return NavigationLinks(
        round(gcj_lat, 6), round(gcj_lon, 6), round(bd_lat, 6), round(bd_lon, 6), amap, baidu
    )
