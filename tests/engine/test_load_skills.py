"""managers.csv skills: a skill no duty of the policy asks for is an input error, not a
duty left unfilled in silence."""

from __future__ import annotations

from pathlib import Path

from engine.load import load_department, load_department_with_policy
from tests.engine.test_load import MANAGERS, make_folder, problems_of, with_cell
from tests.locations import SAMPLE


def test_an_unknown_skill_is_refused_at_its_cell_naming_the_known_ones(tmp_path: Path) -> None:
    managers = with_cell(MANAGERS, 0, "skills", "difficult;sowcase")
    managers = with_cell(managers, 1, "skills", "Showcase")
    managers = with_cell(managers, 2, "skills", "it, difficult")
    problems = problems_of(make_folder(tmp_path / "dept", managers=managers))
    assert [(p.file, p.row, p.column) for p in problems] == [("managers.csv", row, "skills") for row in (2, 3, 4)]
    typo, case, comma = (p.message for p in problems)
    for message in (typo, case, comma):
        assert "known skills: it, difficult, showcase" in message
    assert "'sowcase'" in typo
    assert "did you mean 'showcase'" in case
    assert "'it, difficult'" in comma and "separated by ';'" in comma


def test_a_non_latin_skill_is_refused_too(tmp_path: Path) -> None:
    problems = problems_of(make_folder(tmp_path / "dept", managers=with_cell(MANAGERS, 0, "skills", "展示")))
    assert len(problems) == 1 and "'展示'" in problems[0].message


def test_known_skills_load_and_a_policy_without_duties_ignores_them(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "dept", managers=with_cell(MANAGERS, 0, "skills", "it；showcase;difficult"))
    assert load_department(folder).managers[0].skills == ("it", "showcase", "difficult")
    department, policy = load_department_with_policy(SAMPLE, "seed-003")
    assert not policy.duties and any(m.skills for m in department.managers)
