"""`clientfocus analyze --sales FILE`: straight from a 1C-style export, no server, no database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from clientfocus.cli.main import cli
from clientfocus.exchange.inn import complete_inn

A_INN = complete_inn("770000001")
B_INN = complete_inn("770000002")
C_INN = complete_inn("770000003")

# Three clients, as of 31.10.2026 (the last sale in the file):
#   A: 700 000,00 in 2026; B: 200 000,00 in 2026; C: 150 000,00 bought and 150 000,00 returned -> 0.
#   revenue_12m total 900 000,00; A alone makes 77.8% < 80%, so A and B are the key accounts.
HEADER = "Отчёт по продажам за 2026 год\nКонтрагент;ИНН;Дата;Номер;Строка;Номенклатура;Сумма;Маржа\n"
ROWS = [
    f'"ООО «Альфа»";{A_INN};15.03.2026;Р-1;1;Кабель;"400 000,00";80 000,00',
    f'"ООО «Альфа»";{A_INN};10.09.2026;Р-2;1;Кабель;300 000,00;60 000,00',
    f'"АО <script>alert(1)</script>";{B_INN};31.10.2026;Р-3;1;Провод;200 000,00;',
    f'"ООО «Цикл»";{C_INN};01.06.2026;Р-4;1;Кабель;150 000,00;15 000,00',
    f'"ООО «Цикл»";{C_INN};20.06.2026;Р-5;1;Кабель;(150 000,00);(15 000,00)',
]


def write(path: Path, rows: list[str]) -> Path:
    path.write_bytes((HEADER + "\n".join(rows) + "\n").encode("cp1251"))
    return path


def test_it_analyses_a_cp1251_export_and_writes_the_reports(tmp_path):
    sales = write(tmp_path / "sales.csv", ROWS)
    result = CliRunner().invoke(
        cli, ["analyze", "--sales", str(sales), "--json", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["as_of"] == "2026-10-31"
    revenue = {c["name"]: c["revenue_12m"] for c in data["companies"]}
    assert revenue == {"ООО «Альфа»": 700_000_00, "АО <script>alert(1)</script>": 200_000_00, "ООО «Цикл»": 0}
    assert data["pareto"]["key_accounts"] == 2 and data["pareto"]["total_revenue"] == 900_000_00
    html = (tmp_path / "out" / "clientfocus-analysis-2026-10-31.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html and "new Chart(" in html
    wb = load_workbook(tmp_path / "out" / "clientfocus-analysis-2026-10-31.xlsx", read_only=True)
    assert wb.sheetnames[:2] == ["Сводка", "Компании"]
    rows = list(wb["Компании"].iter_rows(values_only=True))
    col = rows[0].index("revenue_12m")
    assert sorted(r[col] for r in rows[1:]) == [0, 200_000, 700_000]  # roubles, typed numbers


def test_bad_rows_stop_the_analysis_and_name_line_and_column(tmp_path):
    sales = write(tmp_path / "sales.csv", [*ROWS, f'"ООО «Брак»";{A_INN[:-1]}0;31.02.2026;Р-9;1;Кабель;сто;'])
    result = CliRunner().invoke(cli, ["analyze", "--sales", str(sales)])
    assert result.exit_code == 1
    assert "строка 8, колонка Дата" in result.stderr
    assert "строка 8, колонка Сумма" in result.stderr
    assert "Строк с ошибками: 1" in result.stderr
    skipped = CliRunner().invoke(cli, ["analyze", "--sales", str(sales), "--skip-bad-rows", "--json"])
    assert skipped.exit_code == 0
    assert len(json.loads(skipped.stdout)["companies"]) == 3


def test_it_runs_without_django(tmp_path):
    """The file mode never imports Django: it works on a machine with no database at all."""
    sales = write(tmp_path / "sales.csv", ROWS)
    code = (
        "import sys; from clientfocus.cli.main import main; sys.argv = ['clientfocus', 'analyze', '--sales', "
        f"{str(sales)!r}, '--json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'django' not in sys.modules, 'django was imported'\n"
    )
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "nonexistent.settings"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["pareto"]["buying_clients"] == 2


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02garbage", "Дата;Сумма\n".encode("cp1251")])
def test_unreadable_files_get_a_clear_error(tmp_path, content):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    result = CliRunner().invoke(cli, ["analyze", "--sales", str(path)])
    assert result.exit_code == 1
    assert "Error:" in result.stderr and "Traceback" not in result.output
