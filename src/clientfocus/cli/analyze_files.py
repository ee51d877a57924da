"""`clientfocus analyze --sales FILE`: the analysis straight from exports, no server, no database.

exchange (read and validate the files) -> analytics (facts_from_lines, analyse_portfolio) ->
a summary table on the terminal, an XLSX workbook and a self-contained HTML report with charts.
Django is never imported here.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

import polars as pl

from clientfocus.analytics import PortfolioReport, Settings, analyse_portfolio, facts_from_lines
from clientfocus.analytics.summary import frame_records, report_summary
from clientfocus.exchange import Kind, company_name_key, read_records
from clientfocus.exchange.errors import RowError

# Per-company columns of the workbook and of --json, in this order.
COMPANY_EXPORT = (
    "company_id", "name", "inn", "industry", "region", "employees", "owner_name", "category", "revenue_12m",
    "revenue_prev_12m", "trend_12m", "trend_3m_yoy", "margin_12m", "potential", "potential_source",
    "lookalike_potential", "temperature", "temperature_colour", "quadrant", "loyalty", "key_account",
    "pareto_rank", "cumulative_share", "last_purchase", "recency_days", "purchases", "next_due", "overdue",
    "alert", "expected_revenue_12m", "p_alive", "category_reason_ru", "category_reason_en",
)  # fmt: skip


class BadInput(Exception):
    """The files have bad rows (and the user did not ask to skip them)."""

    def __init__(self, errors: list[RowError], file: Path) -> None:
        super().__init__(f"{len(errors)} bad rows in {file}")
        self.errors = errors
        self.file = file


@dataclass(frozen=True)
class FileAnalysis:
    report: PortfolioReport
    summary: dict[str, Any]
    as_of: dt.date
    as_of_from_data: bool
    skipped: list[RowError]


def analyse_files(
    sales: Path, *, companies: Path | None, as_of: dt.date | None, today: dt.date, skip_bad_rows: bool
) -> FileAnalysis:
    sales_rec = read_records(sales, Kind.SALES, today=today)
    skipped = list(sales_rec.errors)
    if sales_rec.errors and not skip_bad_rows:
        raise BadInput(sales_rec.errors, sales)
    firmographics: pl.DataFrame | None = None
    if companies is not None:
        comp_rec = read_records(companies, Kind.COMPANIES, today=today)
        if comp_rec.errors and not skip_bad_rows:
            raise BadInput(comp_rec.errors, companies)
        skipped += comp_rec.errors
        firmographics = comp_rec.records
    lines = sales_rec.records
    if lines.height == 0:
        raise BadInput([], sales)
    day = as_of or lines["date"].max()
    assert isinstance(day, dt.date)
    facts_lines, attrs = _frames(lines, firmographics)
    facts = facts_from_lines(facts_lines, as_of=day, companies=attrs)
    report = analyse_portfolio(facts, as_of=day, settings=Settings())
    return FileAnalysis(report, report_summary(report), day, as_of is None, skipped)


def _key(inn: pl.Expr, name: pl.Expr) -> pl.Expr:
    """A company is its ИНН, else its normalised name (the importer's natural key)."""
    return (
        pl.when(inn.is_not_null() & (inn != ""))
        .then(pl.lit("inn:") + inn)
        .otherwise(pl.lit("name:") + name.map_elements(company_name_key, return_dtype=pl.String))
    )


def _frames(lines: pl.DataFrame, firms: pl.DataFrame | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    lines = lines.with_columns(_key(pl.col("inn"), pl.col("company").fill_null("")).alias("key"))
    names = lines.group_by("key").agg(
        pl.col("company").drop_nulls().first(), pl.col("inn").first(), pl.col("manager").drop_nulls().first()
    )
    if firms is not None and firms.height:
        firms = firms.with_columns(_key(pl.col("inn"), pl.col("name").fill_null("")).alias("key"))
        firms = firms.unique("key", keep="first").select(
            "key",
            pl.col("name").alias("f_name"),
            pl.col("inn").alias("f_inn"),
            "industry",
            "region",
            "employees",
            pl.col("manager").alias("f_manager"),
        )
        people = names.join(firms, on="key", how="full", coalesce=True)
    else:
        people = names.with_columns(
            pl.lit(None, pl.String).alias("f_name"),
            pl.lit(None, pl.String).alias("f_inn"),
            pl.lit(None, pl.String).alias("industry"),
            pl.lit(None, pl.String).alias("region"),
            pl.lit(None, pl.Int64).alias("employees"),
            pl.lit(None, pl.String).alias("f_manager"),
        )
    people = (
        people.sort("key")
        .with_row_index("company_id", offset=1)
        .with_columns(pl.col("company_id").cast(pl.Int64))
    )
    owners = people.select(pl.coalesce("manager", "f_manager").alias("owner_name")).to_series()
    owner_ids = {n: i for i, n in enumerate(sorted({o for o in owners.to_list() if o}), start=1)}
    attrs = people.select(
        "company_id",
        pl.coalesce("f_name", "company", pl.lit("—")).alias("name"),
        pl.coalesce("f_inn", "inn", pl.lit("")).alias("inn"),
        "industry",
        "region",
        pl.col("employees").cast(pl.Int64),
        pl.lit("CLIENT").alias("status"),
        pl.lit(False).alias("liquidated"),
        owners.replace_strict(owner_ids, default=None, return_dtype=pl.Int64).alias("owner_id"),
        owners.alias("owner_name"),
        pl.lit(None, pl.Int64).alias("relationship"),
    )
    lines = lines.join(people.select("key", "company_id"), on="key").select(
        "company_id",
        "date",
        pl.coalesce("document", pl.lit("")).alias("invoice"),
        pl.col("amount").alias("amount"),
        "margin",
    )
    return lines, attrs


# --- the outputs ---------------------------------------------------------------------------


def company_rows(report: PortfolioReport) -> pl.DataFrame:
    frame = report.companies
    return frame.select([c for c in COMPANY_EXPORT if c in frame.columns])


def write_workbook(path: Path, analysis: FileAnalysis) -> None:
    """Sheets: summary, companies, categories, quadrants, alerts, prospects (xlsxwriter)."""
    import xlsxwriter

    s = analysis.summary
    money_cols = {
        "revenue_12m",
        "revenue_prev_12m",
        "margin_12m",
        "potential",
        "lookalike_potential",
        "expected_revenue_12m",
        "revenue_3m",
        "revenue_3m_prev_year",
        "revenue_drop",
        "untapped",
        "profitability",
    }
    with xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    ) as wb:
        bold = wb.add_format({"bold": True})
        rub = wb.add_format({"num_format": "# ##0.00"})
        pct = wb.add_format({"num_format": "0%"})
        datef = wb.add_format({"num_format": "dd.mm.yyyy"})
        ws = wb.add_worksheet("Сводка")
        ws.set_column(0, 0, 40)
        ws.set_column(1, 1, 90)
        rows = [
            ("Анализ портфеля на", analysis.as_of.strftime("%d.%m.%Y")),
            ("Парето", s["pareto"]["text"]["ru"]),
            ("Уровень A, ₽", (s["a_level"] or 0) / 100),
            ("Топ-10", s["top10"]["text"]["ru"]),
            ("Сигналов о падении выручки", s["alerts_total"]),
        ]
        for r, (k, v) in enumerate(rows):
            ws.write(r, 0, k, bold)
            ws.write(r, 1, v)
        _sheet(wb, "Компании", company_rows(analysis.report), money_cols, bold, rub, pct, datef)
        _sheet(wb, "Категории", analysis.report.categories, money_cols, bold, rub, pct, datef)
        _sheet(wb, "Квадранты", analysis.report.quadrants, money_cols, bold, rub, pct, datef)
        _sheet(wb, "Падение выручки", analysis.report.alerts, money_cols, bold, rub, pct, datef)
        _sheet(wb, "Похожие на лучших", analysis.report.prospects, money_cols, bold, rub, pct, datef)


def _sheet(
    wb: Any, title: str, frame: pl.DataFrame, money_cols: set[str], bold: Any, rub: Any, pct: Any, datef: Any
) -> None:
    ws = wb.add_worksheet(title)
    cols = [c for c, t in frame.schema.items() if not isinstance(t, (pl.List, pl.Struct))]
    for j, c in enumerate(cols):
        ws.write(0, j, c, bold)
    for i, row in enumerate(frame.select(cols).iter_rows(), start=1):
        for j, (c, v) in enumerate(zip(cols, row, strict=True)):
            if v is None:
                continue
            if c in money_cols and isinstance(v, (int, float)):
                ws.write_number(i, j, v / 100, rub)
            elif isinstance(v, bool):
                ws.write_boolean(i, j, v)
            elif isinstance(v, (int, float)):
                if isinstance(v, float) and v != v:  # NaN
                    continue
                ws.write_number(i, j, v, pct if c.startswith(("trend", "share", "cumulative")) else None)
            elif isinstance(v, dt.date):
                ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), datef)
            else:
                ws.write_string(i, j, str(v))


def write_html(path: Path, analysis: FileAnalysis, *, lang: str = "ru") -> None:
    """One file with the data and Chart.js inlined: opens anywhere, offline."""
    s = analysis.summary
    report = analysis.report
    ru = lang == "ru"
    data = {
        "pareto": [
            {"x": p["client_share"] * 100, "y": p["revenue_share"] * 100} for p in s["pareto"]["curve"]
        ],
        "key_share": s["pareto"]["key_share_of_clients"] * 100,
        "categories": s["categories"],
        "scatter": frame_records(
            report.companies.filter(pl.col("quadrant").is_not_null())
            .select("name", "loyalty", "profitability", "quadrant")
            .head(3000)
        ),
        "cells": frame_records(
            report.companies.filter(pl.col("category").is_in(["A", "B", "C"]))
            .sort(["category", "temperature"], descending=[False, True], nulls_last=True)
            .select("name", "category", "temperature", "temperature_colour")
            .head(4000)
        ),
        "labels": {
            "curve": "Накопленная доля выручки" if ru else "Cumulative revenue share",
            "revenue": "Выручка 12 мес." if ru else "Revenue, 12 months",
            "potential": "Потенциал" if ru else "Potential",
        },
    }
    alerts = report.alerts.head(50)
    alert_cols = [
        c for c in ("name", "category", "revenue_3m", "revenue_3m_prev_year", "trend_3m_yoy") if c in alerts
    ]
    e = html.escape
    page = Template(_asset("analysis_report.html")).substitute(
        lang=e(lang),
        title=e("ClientFocus — анализ портфеля" if ru else "ClientFocus — portfolio analysis"),
        as_of_text=e(("На " if ru else "As of ") + analysis.as_of.strftime("%d.%m.%Y")),
        pareto_text=e(s["pareto"]["text"][lang]),
        h_pareto=e("Кривая Парето" if ru else "Pareto curve"),
        h_abcd=e("ABCD по потенциалу" if ru else "ABCD by potential"),
        h_scatter=e("Лояльность × прибыльность" if ru else "Loyalty × profitability"),
        h_map=e("Температурная карта" if ru else "Temperature map"),
        h_categories=e("Категории" if ru else "Categories"),
        h_quadrants=e("Квадранты" if ru else "Quadrants"),
        h_top10=e("Топ-10" if ru else "Top 10"),
        h_alerts=e(("Падение выручки" if ru else "Falling revenue") + f" ({s['alerts_total']})"),
        categories_table=_table(
            report.categories, ["category", "companies", "revenue_12m", "potential", "revenue_share"]
        ),
        quadrants_table=_table(
            report.quadrants, ["quadrant", "companies", f"goals_{lang}", f"actions_{lang}"]
        ),
        top10_text=e(s["top10"]["text"][lang]),
        alerts_table=_table(alerts, alert_cols),
        chart_js=_chart_js(),
        data_json=_json_for_script(data),
        report_js=_asset("analysis_report.js"),
    )
    path.write_text(page, encoding="utf-8")


def _table(frame: pl.DataFrame, cols: list[str]) -> str:
    e = html.escape
    head = "".join(f"<th>{e(c)}</th>" for c in cols)
    body = "".join(
        "<tr>" + "".join(f"<td>{e(_fmt(c, v))}</td>" for c, v in zip(cols, row, strict=True)) + "</tr>"
        for row in frame.select(cols).iter_rows()
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _asset(name: str) -> str:
    return (resources.files("clientfocus.cli") / "templates" / name).read_text("utf-8")


def _json_for_script(data: Any) -> str:
    """JSON that cannot close its <script> element (the same escaping as Django's json_script)."""
    text = json.dumps(data, ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _fmt(column: str, value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if column.startswith(("trend", "revenue_share", "share")):
            return f"{value * 100:.0f} %"
        return f"{value:.2f}"
    if isinstance(value, int) and column.startswith(("revenue", "potential", "profitability")):
        return f"{value / 100:,.0f} ₽".replace(",", "\u00a0")
    return str(value)


def _chart_js() -> str:
    """Chart.js from the workspace's vendored assets (npm; `make assets` puts it there)."""
    try:
        return (resources.files("clientfocus.core") / "static" / "vendor" / "chart.umd.min.js").read_text(
            "utf-8"
        )
    except FileNotFoundError as exc:
        raise FileNotFoundError(
            "Chart.js is missing from clientfocus/core/static/vendor: run `make assets` (npm) first"
        ) from exc
