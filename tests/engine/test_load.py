"""The department loader (engine/load.py): folder and workbook -> Department, all problems at once."""

from __future__ import annotations

import csv
import datetime as dt
import re
import runpy
import zipfile
from pathlib import Path

import openpyxl
import pytest

from engine.domain import CalendarDay, Department, GeoPoint, Leave, Manager, PairHistory, Retailer
from engine.errors import InputError, Problem
from engine.load import (
    department_files,
    department_from_tables,
    load_department,
    load_department_with_policy,
    load_workbook_tables,
    write_department,
)
from tests.locations import POLICIES, SAMPLE, SHARED
from tests.strategies import simple_department

POIS = SHARED / "geo" / "chengdu_pois.csv"

MANAGERS = [
    {"id": "m01", "name": "张伟", "years": "12", "skills": "difficult;showcase"},
    {"id": "m02", "name": "王芳", "years": "3.5", "skills": "it"},
    {"id": "m03", "name": "李娜", "years": "0.5", "skills": ""},
]
RETAILERS = [
    {"id": "R00001", "name": "佳鑫便利店", "lat": "30.6712", "lon": "104.0633", "manager": "m01",
     "class": "A", "visits_per_4_weeks": "4", "area": "town", "opens": "08:00", "closes": "21:00",
     "service_min": "12", "pos_target": "1", "promo_store": "0", "volatile": "0", "enterprise": "1"},
    {"id": "R00002", "name": "好又多超市", "lat": "30.6801", "lon": "104.0702", "manager": "m02",
     "class": "B", "visits_per_4_weeks": "2", "area": "town", "opens": "09:00", "closes": "12:00",
     "service_min": "10", "pos_target": "0", "promo_store": "1", "volatile": "0", "enterprise": "0"},
    {"id": "R00003", "name": "永安烟酒店", "lat": "30.8120", "lon": "104.2011", "manager": "m03",
     "class": "C", "visits_per_4_weeks": "1", "area": "country", "opens": "08:00", "closes": "20:00",
     "service_min": "8", "pos_target": "0", "promo_store": "0", "volatile": "1", "enterprise": "0"},
]
LEAVE = [
    {"manager": "m02", "date": "2026-11-25", "start": "", "end": ""},
    {"manager": "m03", "date": "2026-11-26", "start": "15:00", "end": "17:30"},
]
HISTORY = [
    {"week_start": "2026-11-16", "manager": "m01", "partner": "m03", "kind": "maintenance"},
    {"week_start": "2026-11-16", "manager": "m01", "partner": "m02", "kind": "promotion"},
]
TOML = """name = "城区第一市场部"
office = { lat = 30.69, lon = 104.08 }
policy = "15-13-7"
market_manager = "李建国"
"""


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> None:
    """Write rows as Excel does with "CSV UTF-8": a byte-order mark, then header and rows."""
    columns = columns or list(rows[0])
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(column, "") for column in columns])


def make_folder(folder: Path, **changes: list[dict[str, str]]) -> Path:
    """A small valid department folder; `changes` replaces a table's rows (managers=..., ...)."""
    tables = {"managers": MANAGERS, "retailers": RETAILERS, "leave": LEAVE, "history": HISTORY}
    tables.update(changes)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "department.toml").write_text(TOML, encoding="utf-8")
    for name, rows in tables.items():
        write_csv(folder / f"{name}.csv", rows)
    return folder


def with_cell(rows: list[dict[str, str]], index: int, column: str, value: str) -> list[dict[str, str]]:
    """A copy of `rows` with one cell changed."""
    changed = [dict(row) for row in rows]
    changed[index][column] = value
    return changed


def problems_of(folder: Path) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        load_department(folder)
    return caught.value.problems


@pytest.fixture
def department_folder(tmp_path: Path) -> Path:
    """A valid three-manager, three-retailer department folder."""
    return make_folder(tmp_path / "dept")


def test_valid_folder_loads_every_table(department_folder: Path) -> None:
    """A valid folder gives the department with its managers, retailers, leave and history parsed."""
    department = load_department(department_folder)
    assert department.name == "城区第一市场部"
    assert department.office == GeoPoint(lat=30.69, lon=104.08)
    assert [m.id for m in department.managers] == ["m01", "m02", "m03"]
    assert department.manager("m01").skills == ("difficult", "showcase")
    assert department.manager("m02").years == 3.5
    first = department.retailers[0]
    assert (first.retailer_class, first.opens, first.closes, first.pos_target, first.enterprise) == (
        "A", 8 * 60, 21 * 60, True, True)
    assert department.retailers[2].area == "country"
    assert department.leave[0].whole_day and not department.leave[1].whole_day
    assert department.leave[1].start == 15 * 60
    assert department.history[0] == PairHistory(
        week_start=dt.date(2026, 11, 16), manager="m01", partner="m03", kind="maintenance")


def test_policy_comes_with_the_department(department_folder: Path) -> None:
    """load_department_with_policy returns the policy department.toml names, or the override."""
    _, policy = load_department_with_policy(department_folder)
    assert policy.name == "15-13-7"
    department, override = load_department_with_policy(department_folder, "seed-003")
    assert override.name == "seed-003"
    assert department.policy == "15-13-7"


def test_policy_path_relative_to_the_folder(department_folder: Path) -> None:
    """A policy given as a path is found relative to the department folder."""
    shipped = POLICIES / "seed-003.toml"
    (department_folder / "my-policy.toml").write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    (department_folder / "department.toml").write_text(
        TOML.replace('"15-13-7"', '"my-policy.toml"'), encoding="utf-8")
    _, policy = load_department_with_policy(department_folder)
    assert policy.name == "seed-003"


def test_extra_columns_are_kept(tmp_path: Path) -> None:
    """Columns the format does not know end up in the model's extra dict, values as written."""
    retailers = [dict(row, license="510104100001") for row in RETAILERS]
    managers = [dict(row, phone="13800000000") for row in MANAGERS]
    department = load_department(make_folder(tmp_path / "d", retailers=retailers, managers=managers))
    assert department.retailers[0].extra == {"license": "510104100001"}
    assert department.manager("m03").extra == {"phone": "13800000000"}


def test_optional_files_may_be_left_out(department_folder: Path) -> None:
    """Without leave.csv and history.csv the department loads with no leave and no history."""
    (department_folder / "leave.csv").unlink()
    (department_folder / "history.csv").unlink()
    department = load_department(department_folder)
    assert department.leave == () and department.history == ()


def test_optional_flag_columns_default_to_no(tmp_path: Path) -> None:
    """retailers.csv without the flag columns loads with every flag off."""
    columns = ["id", "name", "lat", "lon", "manager", "class", "visits_per_4_weeks", "area",
               "opens", "closes", "service_min"]
    folder = make_folder(tmp_path / "d")
    write_csv(folder / "retailers.csv", RETAILERS, columns)
    department = load_department(folder)
    assert not any(r.pos_target or r.promo_store or r.volatile or r.enterprise for r in department.retailers)


def test_headers_match_whatever_their_case(tmp_path: Path) -> None:
    """Known column names are matched regardless of case and surrounding spaces."""
    folder = make_folder(tmp_path / "d")
    headers = {"id": " ID", "name": "Name", "years": "YEARS ", "skills": "Skills"}
    write_csv(folder / "managers.csv", [{headers[k]: v for k, v in row.items()} for row in MANAGERS])
    department = load_department(folder)
    assert department.manager("m01").name == "张伟"
    assert department.manager("m01").extra == {}


def test_blank_rows_are_skipped_and_rows_keep_excel_numbers(tmp_path: Path) -> None:
    """An empty row is skipped, and the rows after it keep the row numbers Excel shows."""
    blank = dict.fromkeys(RETAILERS[0], "")
    rows = [RETAILERS[0], blank, with_cell(RETAILERS, 1, "lat", "north")[1]]
    problems = problems_of(make_folder(tmp_path / "d", retailers=rows))
    assert [(p.file, p.row, p.column) for p in problems] == [("retailers.csv", 4, "lat")]


def test_excel_chinese_dates_and_gb18030_files(tmp_path: Path) -> None:
    """Dates written 2026/11/25 and a CSV saved as plain (GB18030) "CSV" by Chinese Excel load."""
    folder = make_folder(tmp_path / "d", leave=[with_cell(LEAVE, 0, "date", "2026/11/25")[0]])
    text = (folder / "managers.csv").read_text(encoding="utf-8-sig")
    (folder / "managers.csv").write_bytes(text.encode("gb18030"))
    department = load_department(folder)
    assert department.leave[0].date == dt.date(2026, 11, 25)
    assert department.manager("m01").name == "张伟"


BAD_CELLS = [
    # (table, row index, column, bad value, message)
    ("retailers", 1, "manager", "m99", "manager 'm99' is not in managers.csv"),
    ("retailers", 0, "lat", "95.5", "lat (95.5) must be between -90 and 90"),
    ("retailers", 2, "lon", "东经104", "lon '东经104' is not a number"),
    ("retailers", 0, "closes", "07:00", "closes (07:00) must be after opens (08:00)"),
    ("retailers", 1, "opens", "9点", "opens '9点' is not a time of day (HH:MM)"),
    ("retailers", 2, "promo_store", "yes please", "promo_store must be 0 or 1, not 'yes please'"),
    ("retailers", 0, "area", "city", "area must be town or country, not 'city'"),
    ("retailers", 1, "visits_per_4_weeks", "2.5", "visits_per_4_weeks '2.5' is not a whole number"),
    ("retailers", 2, "service_min", "5",
     "service_min (5) must be at least 8, the minimum service of policy '15-13-7'"),
    ("retailers", 0, "name", "", "name must not be empty"),
    ("managers", 2, "years", "三年", "years '三年' is not a number"),
    ("managers", 1, "years", "-1", "years (-1) must be between 0 and 60"),
    ("leave", 0, "manager", "m42", "manager 'm42' is not in managers.csv"),
    ("leave", 1, "date", "26.11.2026", "date '26.11.2026' is not a date (YYYY-MM-DD)"),
    ("leave", 1, "end", "", "give both start and end, or neither for a whole day"),
    ("leave", 1, "end", "14:00", "end (14:00) must be after start (15:00)"),
    ("history", 0, "partner", "m77", "partner 'm77' is not in managers.csv"),
    ("history", 1, "manager", "m88", "manager 'm88' is not in managers.csv"),
    ("history", 0, "partner", "m01", "partner 'm01' is the same as manager"),
    ("history", 1, "week_start", "2026-11-17", "week_start (2026-11-17) must be a Monday"),
    ("history", 0, "kind", "lunch",
     "kind 'lunch' must be one of the policy's pair kinds: maintenance, promotion"),
]
TABLE_ROWS = {"managers": MANAGERS, "retailers": RETAILERS, "leave": LEAVE, "history": HISTORY}


@pytest.mark.parametrize(
    ("table", "index", "column", "value", "message"), BAD_CELLS,
    ids=[f"{table}-{column}-{value or 'empty'}" for table, _, column, value, _ in BAD_CELLS],
)
def test_bad_cell_is_reported_at_its_file_row_and_column(
    tmp_path: Path, table: str, index: int, column: str, value: str, message: str
) -> None:
    """One bad cell gives exactly one problem naming its file, Excel row (header = 1) and column."""
    folder = make_folder(tmp_path / "d", **{table: with_cell(TABLE_ROWS[table], index, column, value)})
    assert problems_of(folder) == [Problem(message, file=f"{table}.csv", row=index + 2, column=column)]


def test_a_retailer_implausibly_far_from_the_office_is_refused_at_its_row(tmp_path: Path) -> None:
    """Beijing coordinates in a Chengdu department are a mistake, not a 9839-min ride: the
    row is refused naming the distance, the policy's reach and what to check."""
    beijing = with_cell(with_cell(RETAILERS, 1, "lat", "39.9042"), 1, "lon", "116.4074")
    [problem] = problems_of(make_folder(tmp_path / "d", retailers=beijing))
    assert (problem.file, problem.row, problem.column) == ("retailers.csv", 3, "lat/lon")
    assert problem.message.startswith("(39.9042, 116.4074) is 1,514 km from the office (30.69, 104.08); "
                                      "policy '15-13-7' lets a territory reach 80 km (travel.territory_max_km)")
    assert "check the retailer's lat and lon" in problem.message


def test_an_office_far_from_most_retailers_is_the_one_problem(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "d")
    (folder / "department.toml").write_text(TOML.replace("lat = 30.69, lon = 104.08", "lat = 39.9, lon = 116.4"),
                                             encoding="utf-8")
    [problem] = problems_of(folder)
    assert (problem.file, problem.column) == ("department.toml", "office")
    assert "more than 80 km from 3 of the 3 retailers" in problem.message


def test_duplicate_retailer_id_names_the_first_row(tmp_path: Path) -> None:
    """A repeated retailer id is reported on the repeat, naming the row of the first use."""
    folder = make_folder(tmp_path / "d", retailers=with_cell(RETAILERS, 2, "id", "R00001"))
    assert problems_of(folder) == [
        Problem("id 'R00001' is already used on row 2", file="retailers.csv", row=4, column="id")]


def test_duplicate_manager_id(tmp_path: Path) -> None:
    """A repeated manager id is reported in managers.csv at the second row using it."""
    folder = make_folder(tmp_path / "d", managers=with_cell(MANAGERS, 1, "id", "m01"))
    problems = problems_of(folder)
    assert Problem("id 'm01' is already used on row 2", file="managers.csv", row=3, column="id") in problems


def test_missing_column_is_reported_once_on_the_header(tmp_path: Path) -> None:
    """A required column that is missing is one problem on row 1, not one per data row."""
    folder = make_folder(tmp_path / "d")
    columns = [c for c in RETAILERS[0] if c != "lat"]
    write_csv(folder / "retailers.csv", RETAILERS, columns)
    assert problems_of(folder) == [
        Problem("column 'lat' is missing", file="retailers.csv", row=1, column="lat")]


def test_missing_file(department_folder: Path) -> None:
    """A missing retailers.csv is reported by name."""
    (department_folder / "retailers.csv").unlink()
    assert problems_of(department_folder) == [Problem("retailers.csv is missing", file="retailers.csv")]


def test_duplicate_header_is_reported(tmp_path: Path) -> None:
    """A column named twice in the header is reported on row 1 with both Excel column letters."""
    folder = make_folder(tmp_path / "d")
    write_csv(folder / "managers.csv", MANAGERS, ["id", "name", "years", "skills", "years"])
    assert problems_of(folder) == [
        Problem("column 'years' appears twice (columns C and E)", file="managers.csv", row=1, column="years")]


@pytest.mark.parametrize("manager_id", ["../../etc/x", "east/m01", "east\\m01", ".", "..", "m\x0101"])
def test_a_manager_id_that_cannot_be_part_of_an_address_is_refused(tmp_path: Path, manager_id: str) -> None:
    """A manager's id is a segment of /my/{department}/{manager}/{date} and of file names: with
    '/', '\\' or a control character in it, or being '.' or '..', the phone's link would answer
    404, so it is refused at its cell; the rows naming that manager are not reported on top."""
    renamed = [{**row, "manager": manager_id} if row["manager"] == "m01" else row for row in RETAILERS]
    history = [{**row, "manager": manager_id} if row["manager"] == "m01" else row for row in HISTORY]
    folder = make_folder(tmp_path / "d", managers=with_cell(MANAGERS, 0, "id", manager_id),
                         retailers=renamed, history=history)
    problems = problems_of(folder)
    if manager_id.startswith("m\x01"):  # refused in every cell it stands in, as it always was
        assert {(p.file, p.row, p.column) for p in problems} >= {("managers.csv", 2, "id")}
        assert all("control character" in p.message for p in problems)
        return
    [problem] = problems
    assert (problem.file, problem.row, problem.column) == ("managers.csv", 2, "id")
    assert problem.message.startswith(f"id '{manager_id}' ") and "/my/" in problem.message


def test_ids_that_can_be_part_of_an_address_load(tmp_path: Path) -> None:
    """Dots, dashes and Chinese inside an id are fine: only a whole '.' or '..' climbs."""
    new_id = {"m01": "m.01", "m02": "华东-01", "m03": "..m"}
    def renamed(rows: list[dict[str, str]], *columns: str) -> list[dict[str, str]]:
        return [{**row, **{c: new_id[row[c]] for c in columns}} for row in rows]

    folder = make_folder(tmp_path / "d", managers=renamed(MANAGERS, "id"), retailers=renamed(RETAILERS, "manager"),
                         leave=renamed(LEAVE, "manager"), history=renamed(HISTORY, "manager", "partner"))
    assert [m.id for m in load_department(folder).managers] == list(new_id.values())


def test_a_blank_header_cell_is_one_problem_and_names_the_missing_column(tmp_path: Path) -> None:
    """A column whose header cell is blank is reported once (not once per row) on row 1 at
    its letter, with the count and first value; the required column it hid is named missing."""
    folder = make_folder(tmp_path / "d")
    columns = ["" if c == "lat" else c for c in RETAILERS[0]]
    with (folder / "retailers.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in RETAILERS * 60:  # 180 rows: the loader used to say so 180 times
            writer.writerow(list(row.values()))
    assert problems_of(folder) == [
        Problem("column C has no name in row 1 but holds 180 values (the first, '30.6712', in row 2): "
                "name the column in row 1 or delete it", file="retailers.csv", row=1, column="C"),
        Problem("column 'lat' is missing", file="retailers.csv", row=1, column="lat"),
    ]


def test_a_title_row_above_the_header_names_the_missing_columns(tmp_path: Path) -> None:
    """A workbook sheet with a title above its header: one problem per nameless column, saying
    row 1 looks like a title, then every required column it lacks, whatever the number of rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "retailers"
    sheet.append(["城区第一市场部 零售户"])
    sheet.append(list(RETAILERS[0]))
    for row in RETAILERS * 60:
        sheet.append(list(row.values()))
    path = tmp_path / "dept.xlsx"
    workbook.save(path)
    with pytest.raises(InputError) as caught:
        load_workbook_tables(path)
    problems = caught.value.problems
    nameless = [p for p in problems if "has no name" in p.message]
    missing = [p.column for p in problems if p.message.endswith("is missing")]
    assert len(problems) == len(nameless) + len(missing)
    assert [p.column for p in nameless] == [openpyxl.utils.get_column_letter(i) for i in range(2, 16)]
    assert all(p.row == 1 and "if row 1 is a title above the header, delete it" in p.message for p in nameless)
    assert "holds 181 values (the first, 'name', in row 2)" in nameless[0].message
    assert missing == ["id", "name", "lat", "lon", "manager", "class", "visits_per_4_weeks", "area",
                       "opens", "closes", "service_min"]


def test_csv_files_wider_than_the_column_limit_are_refused(tmp_path: Path) -> None:
    """With a column limit (the service's), a CSV file with a value beyond it is refused as a
    sheet is, naming the file, row and last column; empty cells Excel leaves at a row's end
    do not count."""
    folder = make_folder(tmp_path / "d")
    files = {path.name: path.read_bytes() for path in folder.iterdir()}
    wide = "".join(f",extra{i}" for i in range(120))
    lines = (folder / "retailers.csv").read_text("utf-8-sig").splitlines()
    files["retailers.csv"] = "\n".join([lines[0] + wide, *lines[1:]]).encode("utf-8")
    with pytest.raises(InputError) as caught:
        department_files(files, max_columns=100)
    assert [(p.file, p.row, p.column, p.message) for p in caught.value.problems] == [
        ("retailers.csv", 1, "EE", "the file has more than 100 columns, this service's limit")]
    files["retailers.csv"] = "\n".join(line + "," * 200 for line in lines).encode("utf-8")
    _, tables = department_files(files, max_columns=100)
    assert len(tables["retailers"]) == len(RETAILERS)
    assert department_files(files)[1]["retailers"] == tables["retailers"]


def test_unknown_policy_is_reported_at_its_setting(department_folder: Path) -> None:
    """An unknown policy name is reported in department.toml, column policy, listing the built-in ones."""
    (department_folder / "department.toml").write_text(TOML.replace("15-13-7", "16-12-7"), encoding="utf-8")
    [problem] = problems_of(department_folder)
    assert (problem.file, problem.row, problem.column) == ("department.toml", None, "policy")
    assert problem.message.startswith("no policy named '16-12-7': built-in policies are 15-13-7, seed-003")


def test_bad_department_settings(department_folder: Path) -> None:
    """Bad or missing settings in department.toml are each reported under their key."""
    (department_folder / "department.toml").write_text(
        'name = ""\noffice = { lat = 130.0, lon = "east" }\npolicy = "15-13-7"\nmarket_manger = "李"\n',
        encoding="utf-8")
    problems = {(p.column, p.message) for p in problems_of(department_folder)}
    assert problems == {
        ("name", "name must not be empty"),
        ("office.lat", "office.lat (130.0) must be between -90 and 90"),
        ("office.lon", "office.lon 'east' is not a number"),
        ("market_manager", "market_manager is missing"),
        ("market_manger",
         "unknown setting 'market_manger' (known settings: name, office, policy, market_manager)"),
    }


def test_broken_toml_names_its_line(department_folder: Path) -> None:
    """A TOML syntax error is reported with the line it is on."""
    (department_folder / "department.toml").write_text('name = "x"\noffice = {lat = }\n', encoding="utf-8")
    [problem] = problems_of(department_folder)
    assert (problem.file, problem.row) == ("department.toml", 2)


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    """Problems in several files and rows come together in one InputError, in file order."""
    retailers = with_cell(with_cell(RETAILERS, 0, "closes", "07:00"), 2, "manager", "m99")
    folder = make_folder(
        tmp_path / "d",
        managers=with_cell(MANAGERS, 1, "years", "many"),
        retailers=with_cell(retailers, 2, "lat", "-91"),
        leave=with_cell(LEAVE, 0, "manager", "m42"),
    )
    problems = problems_of(folder)
    assert [(p.file, p.row, p.column) for p in problems] == [
        ("managers.csv", 3, "years"),
        ("retailers.csv", 2, "closes"),
        ("retailers.csv", 4, "lat"),
        ("retailers.csv", 4, "manager"),
        ("leave.csv", 2, "manager"),
    ]
    assert "closes (07:00) must be after opens (08:00) — retailers.csv, row 2, column closes" in str(
        InputError(problems))


def test_a_bad_manager_row_does_not_orphan_its_retailers(tmp_path: Path) -> None:
    """A manager whose row has a bad value still counts as known: only the bad value is reported."""
    folder = make_folder(tmp_path / "d", managers=with_cell(MANAGERS, 0, "years", "x"))
    assert [(p.file, p.row, p.column) for p in problems_of(folder)] == [("managers.csv", 2, "years")]


def test_tables_from_a_workbook(tmp_path: Path) -> None:
    """A workbook with one sheet per table loads like the folder, typed Excel cells included,
    and problems name the workbook and sheet."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in TABLE_ROWS.items():
        sheet = workbook.create_sheet(name.capitalize())
        sheet.append(list(rows[0]))
        for row in rows:
            sheet.append(list(row.values()))
    retailers = workbook["Retailers"]
    retailers["C2"], retailers["G2"], retailers["I2"] = 30.6712, 4, dt.time(8, 0)
    workbook["Leave"]["B2"] = dt.datetime(2026, 11, 25)
    workbook["Managers"]["C3"] = 3.5
    path = tmp_path / "dept.xlsx"
    workbook.save(path)

    tables = load_workbook_tables(path)
    meta = {"name": "城区第一市场部", "office": {"lat": 30.69, "lon": 104.08},
            "policy": "15-13-7", "market_manager": "李建国"}
    from_workbook = department_from_tables(meta, tables, "dept.xlsx")
    assert from_workbook == load_department(make_folder(tmp_path / "d"))

    retailers["E3"] = "m99"
    workbook.save(path)
    with pytest.raises(InputError) as caught:
        department_from_tables(meta, load_workbook_tables(path), "dept.xlsx")
    assert caught.value.problems == [
        Problem("manager 'm99' is not in dept.xlsx, sheet managers", file="dept.xlsx, sheet retailers",
                row=3, column="manager")]


def test_control_characters_and_lone_surrogates_are_refused_where_they_are(tmp_path: Path) -> None:
    """A line break in a manager's name (calendar header injection), another control
    character or a lone surrogate is refused with its file, row and column."""
    managers = with_cell(with_cell(MANAGERS, 0, "name", "张伟\r\nATTENDEE:x"), 1, "name", "王\x07芳")
    retailers = with_cell(RETAILERS, 2, "name", "永安\ud800烟酒店")
    meta = {"name": "城区\n市场部", "office": {"lat": 30.69, "lon": 104.08},
            "policy": "15-13-7", "market_manager": "李建国"}
    with pytest.raises(InputError) as caught:
        department_from_tables(meta, {"managers": managers, "retailers": retailers}, "{table}.csv")
    found = {(p.file, p.row, p.column): p.message for p in caught.value.problems}
    assert found == {
        ("department.toml", None, "name"): "name contains a control character (U+000A); remove it",
        ("managers.csv", 2, "name"): "name contains a control character (U+000D); remove it",
        ("managers.csv", 3, "name"): "name contains a control character (U+0007); remove it",
        ("retailers.csv", 4, "name"):
            "name contains a lone surrogate (U+D800), which is not text; remove it",
    }
    # The same check holds for a folder: a quoted line break in a CSV cell.
    folder = make_folder(tmp_path / "d", managers=with_cell(MANAGERS, 0, "name", "张\n伟"))
    with pytest.raises(InputError) as caught:
        load_department(folder)
    assert [(p.file, p.row, p.column) for p in caught.value.problems] == [("managers.csv", 2, "name")]


def oversized_workbook(path: Path, dimension: str = "A1:XFD1048576") -> Path:
    """A tiny workbook whose one sheet declares `dimension` and holds one cell in its last row."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "managers"
    sheet["A1"] = "id"
    workbook.save(path)
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode("utf-8")
    xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>', xml)
    last = dimension.split(":")[1]
    row = re.sub(r"[A-Z]", "", last)
    xml = xml.replace("</sheetData>", f'<row r="{row}"><c r="{last}" t="inlineStr"><is><t>x</t></is></c></row>'
                      "</sheetData>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, xml if name == "xl/worksheets/sheet1.xml" else data)
    return path


def test_a_workbook_declaring_a_huge_sheet_is_read_row_by_row_within_the_limits(tmp_path: Path) -> None:
    """The declared dimension is not padded to: the cell in row 1048576 is beyond the row
    limit and is refused naming the sheet, without reading a million rows."""
    path = oversized_workbook(tmp_path / "big.xlsx")
    assert path.stat().st_size < 10_000
    with pytest.raises(InputError) as caught:
        load_workbook_tables(path, max_rows=100, max_columns=20)
    assert [(p.file, p.message) for p in caught.value.problems] == [
        ("big.xlsx, sheet managers", "the sheet has more than 100 rows, this service's limit")]
    wide = oversized_workbook(tmp_path / "wide.xlsx", "A1:XFD2")
    with pytest.raises(InputError) as caught:
        load_workbook_tables(wide, max_rows=100, max_columns=20)
    assert [(p.row, p.column, p.message) for p in caught.value.problems] == [
        (2, "XFD", "the sheet has more than 20 columns, this service's limit")]
    # Without limits the declared size is still not padded to: the far cell is read as it is.
    with pytest.raises(InputError) as caught:
        load_workbook_tables(oversized_workbook(tmp_path / "far.xlsx", "A1:XFD5000"))
    assert [(p.row, p.column, p.message) for p in caught.value.problems] == [
        (1, "XFD", "column XFD has no name in row 1 but holds 1 value (the first, 'x', in row 5000): "
         "name the column in row 1 or delete it"),
        (1, "name", "column 'name' is missing"), (1, "years", "column 'years' is missing")]


def test_unreadable_workbook(tmp_path: Path) -> None:
    """A file that is not a workbook gives an InputError naming it."""
    path = tmp_path / "dept.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_workbook_tables(path)
    assert caught.value.problems[0].file == "dept.xlsx"


def test_write_then_load_gives_the_same_department(tmp_path: Path) -> None:
    """write_department then load_department returns an equal department, tricky text included."""
    department = Department(
        name='第一市场部, "城区"',
        office=GeoPoint(lat=-30.3905123, lon=-104.4862),  # within the policy's reach of both retailers
        policy="15-13-7",
        market_manager="李建国",
        public_calendar="CN",  # the calendar its policy names, as the loader sets it
        calendar_days=(CalendarDay(date=dt.date(2026, 11, 27), kind="holiday", name="本地, 节日"),
                       CalendarDay(date=dt.date(2026, 11, 28), kind="workday")),
        managers=(
            Manager(id="m01", name="张, 伟", years=12, skills=("difficult", "showcase"),
                    extra={"phone": "138 0000 0000"}),
            Manager(id="m02", name='王"芳"', years=0.75, extra={"phone": ""}),
        ),
        retailers=(
            Retailer(id="R1", name="佳鑫便利店 (二店)", lat=-30.1234567, lon=-104.7654321, manager="m01",
                     retailer_class="A", visits_per_4_weeks=4, area="town", opens="00:00", closes="24:00",
                     service_min=15, pos_target=True, enterprise=True, extra={"place": "城区一片"}),
            Retailer(id="R2", name="好又多超市", lat=-30.5, lon=-104.25, manager="m02",
                     retailer_class="C", visits_per_4_weeks=1, area="country", opens="09:00", closes="12:00",
                     service_min=8, promo_store=True, volatile=True, extra={"place": ""}),
        ),
        leave=(Leave(manager="m02", date=dt.date(2026, 11, 25)),
               Leave(manager="m01", date=dt.date(2026, 11, 26), start="15:00", end="17:30")),
        history=(PairHistory(week_start=dt.date(2026, 11, 16), manager="m01", partner="m02",
                             kind="promotion"),),
    )
    write_department(department, tmp_path / "out")
    assert load_department(tmp_path / "out") == department


def test_writing_is_byte_stable(tmp_path: Path, department_folder: Path) -> None:
    """Writing a loaded department twice gives identical files, with Excel's UTF-8 byte-order mark."""
    department = load_department(department_folder)
    write_department(department, tmp_path / "a")
    write_department(load_department(tmp_path / "a"), tmp_path / "b")
    for name in ("department.toml", "managers.csv", "retailers.csv", "leave.csv", "history.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "retailers.csv").read_bytes().startswith(b"\xef\xbb\xbfid,name,lat")


def test_sample_department_loads_without_problems() -> None:
    """data/sample loads cleanly: 13 managers with 100-400 retailers each, 2,000+ in all, leave in
    the week of 2026-11-23, and at least 4 POS targets and 2 promotion stores per manager."""
    department, policy = load_department_with_policy(SAMPLE)
    assert policy.name == "15-13-7"
    assert len(department.managers) == 13
    assert len(department.retailers) >= 2000
    for manager in department.managers:
        territory = department.territory(manager.id)
        assert 100 <= len(territory) <= 400
        assert sum(r.pos_target for r in territory) >= 4
        assert sum(r.promo_store for r in territory) >= 2
    assert Leave(manager="m06", date=dt.date(2026, 11, 25)) in department.leave


@pytest.mark.skipif(not POIS.exists(), reason="needs ../shared/geo/chengdu_pois.csv")
def test_sample_regenerates_byte_identical(tmp_path: Path) -> None:
    """data/generate_sample.py writes exactly the committed data/sample files (seeded, reproducible)."""
    generator = runpy.run_path(str(SAMPLE.parent / "generate_sample.py"))
    department = generator["build_department"](generator["read_pois"](POIS))
    write_department(department, tmp_path)
    for name in ("department.toml", "managers.csv", "retailers.csv", "leave.csv", "history.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name


@pytest.mark.parametrize("damage", ["no years column", "empty", "absent"])
def test_a_bad_managers_csv_is_its_one_problem_not_every_manager_named_elsewhere(tmp_path: Path, damage: str) -> None:
    """Without a readable managers.csv no manager id is known: the retailers, leave and
    history that name managers are not each reported as naming an unknown one."""
    folder = tmp_path / "dept"
    write_department(simple_department(2), folder)
    managers = folder / "managers.csv"
    if damage == "no years column":
        rows = list(csv.DictReader(managers.open(encoding="utf-8-sig")))
        write_csv(managers, [{k: v for k, v in row.items() if k != "years"} for row in rows])
    elif damage == "empty":
        managers.write_text("", "utf-8")
    else:
        managers.unlink()
    with pytest.raises(InputError) as caught:
        load_department(folder)
    assert len(caught.value.problems) == 1, caught.value.problems
    assert caught.value.problems[0].file == "managers.csv"
    assert "is not in managers.csv" not in str(caught.value)


def test_a_retailer_just_past_the_reach_is_said_with_its_decimals(tmp_path: Path) -> None:
    """80.45 km read "80 km" against an 80-km reach, as if it were within it (a tester's
    5.04 km under a 5-km reach)."""
    office_lat = 30.69
    just_past = with_cell(RETAILERS, 1, "lat", f"{office_lat + 80.45 / 111.195:.6f}")
    [problem] = problems_of(make_folder(tmp_path / "d", retailers=with_cell(just_past, 1, "lon", "104.08")))
    assert " is 80.45 km from the office" in problem.message or " is 80.44 km from the office" in problem.message
