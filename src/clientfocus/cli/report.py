"""The analysis summary as terminal tables (rich) — the same for the database and for files."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

Summary = dict[str, Any]


def money(kopecks: int | float | None) -> str:
    if kopecks is None:
        return "—"
    rub = (Decimal(int(kopecks)) / 100).quantize(Decimal(1))
    return f"{rub:,}".replace(",", "\u00a0") + " ₽"


def pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.0f} %"


def print_summary(summary: Summary, *, lang: str = "ru", console: Console | None = None) -> None:
    # Wide enough for the tables even when the output is piped (rich assumes 80 columns then).
    out = console or Console(width=max(Console().width, 110))
    ru = lang == "ru"
    p = summary["pareto"]
    out.print(f"[bold]{'Анализ портфеля на' if ru else 'Portfolio analysis as of'} {summary['as_of']}[/bold]")
    out.print(f"Pareto: {p['text'][lang]}")
    out.print(
        (
            "Уровень A (медиана выручки ключевых клиентов): "
            if ru
            else "A level (median revenue of key accounts): "
        )
        + money(summary["a_level"])
    )

    t = Table(title="ABCD" + (" по потенциалу" if ru else " by potential"))
    for col in (
        ("Категория", "Category"),
        ("Компаний", "Companies"),
        ("Доля компаний", "Share of companies"),
        ("Выручка 12 мес.", "Revenue 12m"),
        ("Доля выручки", "Revenue share"),
        ("Потенциал", "Potential"),
        ("Факт/потенциал", "Actual/potential"),
    ):
        t.add_column(
            col[0] if ru else col[1], justify="left" if col[1] == "Category" else "right", no_wrap=True
        )
    for c in summary["categories"]:
        t.add_row(
            c["category"],
            str(c["companies"]),
            pct(c.get("share_of_companies")),
            money(c.get("revenue_12m")),
            pct(c.get("revenue_share")),
            money(c.get("potential")),
            pct(c.get("actual_to_potential")),
        )
    out.print(t)

    q = Table(title="Лояльность × прибыльность" if ru else "Loyalty × profitability")
    q.add_column("Квадрант" if ru else "Quadrant")
    q.add_column("Компаний" if ru else "Companies", justify="right")
    q.add_column("Цели" if ru else "Goals")
    for row in summary["quadrants"]:
        q.add_row(str(row.get("quadrant")), str(row.get("companies")), str(row.get(f"goals_{lang}", "")))
    out.print(q)

    out.print(f"Top-10: {summary['top10']['text'][lang]}")

    alerts = summary.get("alerts", [])[:10]
    a = Table(
        title=(
            f"Падение выручки: {summary.get('alerts_total', 0)} (первые 10)"
            if ru
            else f"Falling revenue: {summary.get('alerts_total', 0)} (first 10)"
        )
    )
    a.add_column("Компания" if ru else "Company")
    a.add_column("Кат." if ru else "Cat.")
    a.add_column("3 мес." if ru else "3 months", justify="right")
    a.add_column("Год назад" if ru else "A year before", justify="right")
    a.add_column("Изменение" if ru else "Change", justify="right")
    for row in alerts:
        a.add_row(
            str(row.get("name")),
            str(row.get("category")),
            money(row.get("revenue_3m")),
            money(row.get("revenue_3m_prev_year")),
            pct(row.get("trend_3m_yoy")),
        )
    out.print(a)
