"""Definition 8 (seed 001): the top-10 check.

Seed 001: "перечислите 10 самых крупных своих покупателей (с точки зрения взаимоотношений).
Если списки совпадают — активно приступаем к поиску новых. Если нет, то сначала разрабатываем
план действий, для того чтобы списки совпали."

Top N by revenue_12m (positive only; ties by company_id) beside top N clients by the recorded
relationship rating (ties by revenue_12m, then company_id; liquidated companies excluded).
The lists "match" when they hold the same companies, in any order.
"""

from __future__ import annotations

import polars as pl

from clientfocus.analytics.types import Settings, Text, TopTenCheck

VERDICT_TEXT = {
    "MATCH": Text(
        ru="Списки совпадают: активно приступайте к поиску новых клиентов.",
        en="The lists match: go and find new clients.",
    ),
    "MISMATCH": Text(
        ru="Списки не совпадают: сначала разработайте план действий, чтобы они совпали.",
        en="The lists differ: first plan how to make them match.",
    ),
    "NO_RATINGS": Text(
        ru="Оценки отношений не записаны: оцените отношения с клиентами (1–5).",
        en="No relationship ratings recorded: rate your relationships (1-5).",
    ),
}


def top_ten(frame: pl.DataFrame, settings: Settings) -> TopTenCheck:
    n = settings.top_n
    by_rev = (
        frame.filter(pl.col("revenue_12m") > 0)
        .select("company_id", "revenue_12m")
        .top_k(n, by=["revenue_12m", "company_id"], reverse=[False, True])
        .sort(["revenue_12m", "company_id"], descending=[True, False])  # top_k has no order
        ["company_id"].to_list()
    )
    by_rel = (
        frame.filter(pl.col("relationship").is_not_null() & pl.col("has_bought")
                     & ~pl.col("liquidated"))
        .select("company_id", "relationship", "revenue_12m")
        .top_k(n, by=["relationship", "revenue_12m", "company_id"], reverse=[False, False, True])
        .sort(["relationship", "revenue_12m", "company_id"], descending=[True, True, False])
        ["company_id"].to_list()
    )
    overlap = len(set(by_rev) & set(by_rel))
    if not by_rel:
        verdict = "NO_RATINGS"
    elif set(by_rev) == set(by_rel):
        verdict = "MATCH"
    else:
        verdict = "MISMATCH"
    base = VERDICT_TEXT[verdict]
    text = Text(
        ru=f"Совпадают {overlap} из {max(len(by_rev), len(by_rel))}. {base.ru}",
        en=f"{overlap} of {max(len(by_rev), len(by_rel))} in common. {base.en}",
    )
    return TopTenCheck(by_revenue=tuple(by_rev), by_relationship=tuple(by_rel),
                       overlap=overlap, verdict=verdict, text=text)
