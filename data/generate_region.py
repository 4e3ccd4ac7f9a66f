"""Generate a region folder: region.toml, a shared holidays.csv and N department folders
(api/region/generated.py says how).

    python data/generate_region.py OUT --departments 20 --seed 0
    python data/generate_region.py data/sample_region --departments 3 --seed 1 \\
        --min-managers 6 --max-managers 8 --retailers-per-manager 60     # the shipped sample
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))

from api.region.generated import write_region  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--departments", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-managers", type=int, default=6)
    parser.add_argument("--max-managers", type=int, default=30)
    parser.add_argument("--retailers-per-manager", type=int, default=150)
    parser.add_argument("--name", default="城区营销中心")
    args = parser.parse_args()
    if not 1 <= args.min_managers <= args.max_managers:
        parser.error("need 1 <= --min-managers <= --max-managers")
    folders = write_region(args.out, args.departments, args.seed, args.min_managers, args.max_managers,
                           args.retailers_per_manager, args.name)
    print(f"wrote {args.out}: {len(folders)} departments")


if __name__ == "__main__":
    main()
