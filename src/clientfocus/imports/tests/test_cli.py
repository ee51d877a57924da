"""`clientfocus import` through click's CliRunner."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from clientfocus.cli.main import cli
from clientfocus.imports.models import SavedMapping
from clientfocus.imports.tests import makers as M
from clientfocus.sales.models import Sale

pytestmark = pytest.mark.django_db


def _run(*args: str):
    return CliRunner().invoke(cli, ["import", *args, "--as-of", "2025-06-30", "--quiet", "--no-recompute"])


@pytest.fixture
def messy(tmp_path):
    path = tmp_path / "1c.csv"
    path.write_bytes(M.sales_csv(M.GOOD_SALES + M.BAD_SALES))
    return str(path)


def test_a_refused_import_names_every_bad_row_and_exits_1(cast, messy):
    before = Sale.objects.count()
    result = _run(messy, "--kind", "sales", "--user", "dana")
    assert result.exit_code == 1
    assert "refused" in result.output
    assert 'строка 8, колонка ИНН: не сходится контрольное число, получено "7707083894"' in result.output
    assert "report: " in result.output
    assert Sale.objects.count() == before


def test_dry_run_writes_nothing_and_speaks_english(cast, messy):
    before = Sale.objects.count()
    result = _run(messy, "--user", "dana", "--dry-run", "--lang", "en", "--create-companies")
    assert result.exit_code == 0, result.output
    assert 'line 9, column Дата: no such date in the calendar, got "32.01.2025"' in result.output
    assert "dry run: nothing was written" in result.output
    assert Sale.objects.count() == before


def test_skip_bad_rows_then_again_changes_nothing(cast, messy):
    result = _run(messy, "--user", "dana", "--skip-bad-rows", "--create-companies")
    assert result.exit_code == 0, result.output
    assert "added 5" in result.output and "rejects: " in result.output
    rejects = result.output.split("rejects: ")[1].split()[0]
    with open(rejects, encoding="utf-8-sig") as handle:
        assert handle.read().count("\n") == 5
    again = _run(messy, "--user", "dana", "--skip-bad-rows", "--create-companies")
    assert "added 0" in again.output and "unchanged 5" in again.output


def test_map_and_saved_mapping(cast, tmp_path):
    company = cast["portfolios"]["alice"].company
    path = tmp_path / "odd.csv"
    path.write_bytes(f"Кто;Когда;Сколько\r\n{company.inn};01.02.2025;10\r\n".encode())
    result = _run(
        str(path), "--user", "alice", "--map", "inn=Кто", "--map", "date=Когда", "--map", "amount=Сколько"
    )
    assert result.exit_code == 0, result.output
    assert "added 1" in result.output
    SavedMapping.objects.create(
        owner=cast["users"]["alice"],
        kind="sales",
        name="странный",
        columns={"inn": "Кто", "date": "Когда", "amount": "Сколько"},
    )
    result = _run(str(path), "--user", "alice", "--mapping", "странный")
    assert "added 0" in result.output and "unchanged 1" in result.output
    result = _run(str(path), "--user", "alice", "--mapping", "нет такого")
    assert result.exit_code == 2


def test_an_unreadable_file_is_a_clear_error(cast, tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    result = _run(str(path), "--user", "dana")
    assert result.exit_code == 1
    assert "старый формат Excel (.xls) не поддерживается" in result.output
