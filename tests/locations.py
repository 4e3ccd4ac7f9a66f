"""Where the tests find the checkout's data and the shared benchmark and map files."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
POLICIES = REPO / "data" / "policies"
SHARED = REPO.parent / "shared"
