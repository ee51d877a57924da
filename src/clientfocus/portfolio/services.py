"""Writes of the analysis: settings, staleness, and the recompute that stores a snapshot."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from clientfocus.accounts.models import User
from clientfocus.accounts.services import audit_record
from clientfocus.activities.feedback import feedback_close_recovered
from clientfocus.analytics import PortfolioReport, Settings, analyse_portfolio
from clientfocus.analytics.summary import report_summary
from clientfocus.core.bulk import bulk_insert_frame, indexes_rebuilt, rows_cleared
from clientfocus.portfolio.loaders import load_facts
from clientfocus.portfolio.models import AnalysisSettings, CompanyAnalysis, Snapshot
from clientfocus.portfolio.staleness import attributes_version, data_changed, data_version
from clientfocus.portfolio.summaries import summaries_compute, summaries_prepare, summaries_store

Progress = Callable[[str], None]

# Snapshot columns read straight from the report's per-company frame.
_DIRECT = (
    "revenue_12m",
    "revenue_prev_12m",
    "margin_12m",
    "trend_12m",
    "trend_3m_yoy",
    "best_year_revenue",
    "lifetime_revenue",
    "last_purchase",
    "purchases",
    "pareto_rank",
    "key_account",
    "lookalike_potential",
    "potential",
    "category",
    "temperature",
    "temperature_colour",
    "loyalty",
    "profitability",
    "quadrant",
    "last_activity_date",
    "next_due",
    "overdue",
    "days_overdue",
    "alert",
    "expected_revenue_12m",
    "p_alive",
)
# Typed columns beside those: the rest of the reason sentences' inputs and the feedback
# request's alert figures.
_INPUTS = (
    "revenue_3m",
    "revenue_3m_prev_year",
    "drop_z",
    "potential_source",
    "lookalike_same_industry",
    "lookalike_same_region",
    "lookalike_size_min",
    "lookalike_size_max",
    "a_problem",
    "cadence_days",
    "contact_channel",
    "cadence_code",
)
# Kept in `details` (JSON): the lists — the look-alike neighbours and the machine-readable reason
# codes. Nothing else: the 23 keys this used to keep were 687 bytes a row (69 MB at 100,000
# companies), written, deleted at the next recompute and, on PostgreSQL, parsed as jsonb each
# time (docs/performance.md, "Analysis end to end").
_DETAILS = ("lookalike_neighbours", "reason_codes")


# --- settings -------------------------------------------------------------------------------


def analysis_settings() -> Settings:
    row = AnalysisSettings.objects.filter(pk=1).first()
    return Settings.from_dict(row.values if row else {})


def analysis_settings_update(
    *, actor: User | None, values: dict[str, Any], report_as_of: dt.date | None = None
) -> Settings:
    """Validate and store the installation's thresholds; the snapshot becomes stale."""
    current = analysis_settings().to_dict()
    settings = Settings.from_dict({**current, **values})  # raises ValueError on a bad combination
    with transaction.atomic():
        AnalysisSettings.objects.update_or_create(
            pk=1, defaults={"values": settings.to_dict(), "report_as_of": report_as_of, "updated_by": actor}
        )
        data_changed(attributes=True)
        audit_record(
            actor=actor,
            action="analysis_settings_update",
            object_type="portfolio.analysissettings",
            object_id="1",
            details={k: v for k, v in values.items()},
        )
    return settings


def report_as_of_setting() -> dt.date | None:
    row = AnalysisSettings.objects.filter(pk=1).only("report_as_of").first()
    return row.report_as_of if row else None


def recent_snapshots(limit: int = 10) -> Any:
    return Snapshot.objects.select_related("requested_by").order_by("-started_at", "-id")[:limit]


def report_as_of() -> dt.date:
    row = AnalysisSettings.objects.filter(pk=1).only("report_as_of").first()
    return row.report_as_of if row and row.report_as_of else timezone.localdate()


# --- recompute ------------------------------------------------------------------------------


def analysis_recompute(
    *, actor: User | None, as_of: dt.date | None = None, progress: Progress | None = None
) -> Snapshot:
    """Read the database, analyse, write the snapshot that pages read. Returns it (ready)."""
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    settings = analysis_settings()
    as_of = as_of or report_as_of()
    version = data_version()
    attributes = attributes_version()
    snapshot = Snapshot.objects.create(
        as_of=as_of, data_version=version, settings_values=settings.to_dict(), requested_by=actor
    )
    try:
        say("read")
        # The per-scope summaries' own reads (summaries.py) run in this thread while the
        # analysis facts are read on their connections.
        facts, inputs = load_facts(as_of=as_of, settings=settings, alongside=summaries_prepare)
        assert inputs is not None
        read_at = time.perf_counter()
        say("analyse")
        # Sentences are rendered per page for the rows shown (portfolio/selectors.py), naming
        # only companies the reader may see; the snapshot stores the figures behind them.
        report = analyse_portfolio(facts, as_of=as_of, settings=settings, with_reasons=False)
        analysed_at = time.perf_counter()
        say("write")
        rows = _snapshot_rows(snapshot, report)
        # The per-scope summaries the analysis, team and my-day pages read (summaries.py): their
        # computation from the rows in memory runs in a thread beside the write below (it
        # touches no database; polars and the database's own work release the GIL, so the two
        # overlap on the machine's second core).
        prepared_at = time.perf_counter()
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(
                summaries_compute, snapshot, inputs, rows=rows.drop("details"), companies=facts.companies
            )
            with transaction.atomic():
                table = CompanyAnalysis._meta.db_table
                # Only the newest ready snapshot keeps its per-company rows: the previous ones go,
                # and the new ones come in, while the table's plain indexes are down (core/bulk.py).
                with indexes_rebuilt(table):
                    rows_cleared(table)  # the new snapshot has no rows yet: all rows go
                    pruned_at = time.perf_counter()
                    bulk_insert_frame(table, rows.columns, rows)
                    rows_at = time.perf_counter()
                indexed_at = time.perf_counter()
                summaries_store(pending.result())
                stored_at = time.perf_counter()
                snapshot.summary = report_summary(report)
                snapshot.summary["attributes_version"] = attributes
                timings = {
                    "read": round(read_at - started, 3),
                    "analyse": round(analysed_at - read_at, 3),
                    # What the write is made of (docs/performance.md, "Analysis end to end").
                    "write_frame": round(prepared_at - analysed_at, 3),  # rows in storage types
                    "write_prune": round(pruned_at - prepared_at, 3),
                    "write_rows": round(rows_at - pruned_at, 3),
                    "write_indexes": round(indexed_at - rows_at, 3),
                    # Waiting for the summaries once the rows are in, and storing them.
                    "write_summaries": round(stored_at - indexed_at, 3),
                }
                snapshot.summary["timings"] = timings
                snapshot.state = Snapshot.State.READY
                snapshot.finished_at = timezone.now()
                snapshot.seconds = time.perf_counter() - started
                snapshot.save()
                audit_record(
                    actor=actor,
                    action="analysis_recompute",
                    obj=snapshot,
                    details={"as_of": as_of.isoformat(), "seconds": round(snapshot.seconds, 3)},
                )
        # The whole recompute, the commit included (its deferred checks and the journal's flush).
        committed_at = time.perf_counter()
        snapshot.seconds = committed_at - started
        timings["write"] = round(committed_at - analysed_at, 3)
        timings["commit"] = round(committed_at - stored_at, 3)
        snapshot.summary["timings"] = timings
        Snapshot.objects.filter(pk=snapshot.pk).update(seconds=snapshot.seconds, summary=snapshot.summary)
    except Exception as exc:
        Snapshot.objects.filter(pk=snapshot.pk).update(
            state=Snapshot.State.FAILED, error=repr(exc)[:2000], finished_at=timezone.now()
        )
        raise
    feedback_close_recovered(as_of=as_of)  # answered alerts whose revenue recovered close now
    return snapshot


def _snapshot_rows(snapshot: Snapshot, report: PortfolioReport) -> pl.DataFrame:
    """The snapshot's company rows as they are stored (the table's columns, in storage types)."""
    frame = report.companies
    details = [c for c in _DETAILS if c in frame.columns]
    out = frame.select(
        pl.lit(snapshot.pk, dtype=pl.Int64).alias("snapshot_id"),
        pl.col("company_id"),
        *[pl.col(c) for c in _DIRECT],
        *[pl.col(c) if c in frame.columns else pl.lit(None).alias(c) for c in _INPUTS],
        pl.struct(details).struct.json_encode().alias("details"),
    ).with_columns(
        pl.col("category").fill_null(""),
        pl.col("temperature_colour").fill_null(""),
        pl.col("quadrant").fill_null(""),
        pl.col("revenue_12m").fill_null(0),
        pl.col("revenue_prev_12m").fill_null(0),
        pl.col("best_year_revenue").fill_null(0),
        pl.col("lifetime_revenue").fill_null(0),
        pl.col("purchases").fill_null(0),
        pl.col("key_account").fill_null(False),
        pl.col("overdue").fill_null(False),
        pl.col("alert").fill_null(False),
        # Floats and money for storage: integers stay exact, floats become plain floats.
        *[
            pl.col(c).cast(pl.Float64)
            for c in ("trend_12m", "trend_3m_yoy", "temperature", "loyalty", "p_alive", "drop_z")
        ],
        *[pl.col(c).cast(pl.Float64) for c in ("lookalike_size_min", "lookalike_size_max")],
        *[pl.col(c).cast(pl.Int64) for c in ("revenue_3m", "revenue_3m_prev_year", "cadence_days")],
        *[pl.col(c).cast(pl.Int64) for c in ("lookalike_same_industry", "lookalike_same_region")],
        pl.col("a_problem").cast(pl.Boolean),
        *[pl.col(c).cast(pl.String) for c in ("potential_source", "contact_channel", "cadence_code")],
        *[
            pl.col(c).round(0).cast(pl.Int64)
            for c in ("lookalike_potential", "potential", "expected_revenue_12m", "profitability")
        ],
    )
    # Infinite or NaN trends (no revenue a year before) are stored as unknown.
    out = out.with_columns(
        *[
            pl.when(pl.col(c).is_finite()).then(pl.col(c)).otherwise(None).alias(c)
            for c in ("trend_12m", "trend_3m_yoy", "temperature", "loyalty", "p_alive")
        ],
        pl.col("drop_z").fill_nan(None),
    )
    return out
