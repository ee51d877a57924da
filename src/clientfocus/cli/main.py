"""`clientfocus` — the command line: demo data, serve, migrate, and Django's own commands.

Django is set up lazily, inside the commands that need a database, so that commands working
straight from files (analyze --sales FILE) run without a server or a database.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientfocus.config.settings")
    import django

    django.setup()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """ClientFocus: which clients deserve your time, why, and what to do next."""


@cli.command()
def migrate() -> None:
    """Create or update the database tables."""
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def manage(ctx: click.Context) -> None:
    """Run a Django management command: clientfocus manage createsuperuser …"""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["clientfocus manage", *ctx.args])


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def serve(host: str, port: int, threads: int) -> None:
    """Serve the web workspace (waitress, a production WSGI server)."""
    setup_django()
    from waitress import serve as waitress_serve

    from clientfocus.config.wsgi import application

    click.echo(f"Serving ClientFocus on http://{host}:{port}/ (Ctrl+C stops)")
    waitress_serve(application, host=host, port=port, threads=threads, ident="ClientFocus")


@cli.command()
@click.option(
    "--companies",
    "companies",
    default=500,
    show_default=True,
    type=click.IntRange(1, 2_000_000),
    help="How many companies to generate.",
)
@click.option(
    "--lines",
    "lines",
    default=None,
    type=click.IntRange(0),
    help="Target number of sale lines (default: about 100 per company).",
)
@click.option(
    "--seed", default=20261125, show_default=True, type=int, help="Random seed: same seed, same portfolio."
)
@click.option("--as-of", "as_of", default=None, help="The portfolio's 'today' (YYYY-MM-DD); default: today.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has companies.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def demo(
    companies: int, lines: int | None, seed: int, as_of: str | None, if_empty: bool, quiet: bool
) -> None:
    """Load a realistic Russian demo portfolio, with a manager, three sellers and an admin."""
    import datetime as dt

    setup_django()
    from clientfocus.portfolio.demo import DemoError, DemoSpec, demo_load, demo_users_exist

    if if_empty and demo_users_exist():
        click.echo("The database already has a portfolio: the demo was not loaded again.")
        _ensure_analysis(quiet)
        _print_logins()
        return
    spec = DemoSpec(
        companies=companies,
        lines=lines if lines is not None else companies * 100,
        seed=seed,
        as_of=dt.date.fromisoformat(as_of) if as_of else dt.date.today(),
    )
    try:
        result = demo_load(spec, progress=not quiet)
    except DemoError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Demo portfolio: {result.companies:,} companies, {result.lines:,} sale lines, "
        f"{result.contacts:,} contacts, {result.activities:,} activities, {result.deals:,} deals "
        f"in {result.seconds:.1f} s."
    )
    _ensure_analysis(quiet, force=True, as_of=spec.as_of)
    _print_logins()


@cli.command()
@click.option(
    "--sales",
    "sales",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Analyse this sales export (CSV or XLSX) instead of the database.",
)
@click.option(
    "--companies",
    "companies",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="With --sales: a companies file (industry, region, employees) for look-alikes.",
)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    help="Analyse as of this date (YYYY-MM-DD). Default: the report date (database) or the last sale "
    "in the file (--sales).",
)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="With --sales: write the XLSX workbook and the HTML report into this folder.",
)
@click.option(
    "--skip-bad-rows", is_flag=True, help="With --sales: analyse the good rows and list the bad ones."
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the summary (with --sales, every company too) as JSON."
)
@click.option("--lang", type=click.Choice(["ru", "en"]), default="ru", show_default=True)
def analyze(
    sales: Path | None,
    companies: Path | None,
    as_of: str | None,
    out: Path | None,
    skip_bad_rows: bool,
    as_json: bool,
    lang: str,
) -> None:
    """Recompute the analysis over the database, or straight from export files (--sales)."""
    import datetime as dt
    import json

    from clientfocus.cli.report import print_summary

    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        raise click.BadParameter(f"expected YYYY-MM-DD, got {as_of!r}", param_hint="--as-of") from exc
    if sales is not None:
        _analyze_files(sales, companies, day, out, skip_bad_rows, as_json, lang)
        return
    if companies is not None or out is not None:
        raise click.UsageError("--companies and --out go with --sales (the analysis straight from files)")

    setup_django()
    from clientfocus.portfolio.services import analysis_recompute

    snapshot = analysis_recompute(actor=None, as_of=day, progress=None if as_json else _stage_printer())
    if as_json:
        click.echo(json.dumps(snapshot.summary, ensure_ascii=False, indent=2))
        return
    print_summary(snapshot.summary, lang=lang)
    click.echo(f"{snapshot.seconds:.2f} s")


def _analyze_files(
    sales: Path,
    companies: Path | None,
    day: dt.date | None,
    out: Path | None,
    skip_bad_rows: bool,
    as_json: bool,
    lang: str,
) -> None:
    import datetime as dt
    import json

    from clientfocus.analytics.summary import frame_records
    from clientfocus.cli.analyze_files import (
        BadInput,
        analyse_files,
        company_rows,
        write_html,
        write_workbook,
    )
    from clientfocus.cli.report import print_summary
    from clientfocus.exchange import ExchangeError

    try:
        result = analyse_files(
            sales, companies=companies, as_of=day, today=dt.date.today(), skip_bad_rows=skip_bad_rows
        )
    except ExchangeError as exc:
        raise click.ClickException(exc.text(lang)) from exc
    except BadInput as exc:
        if not exc.errors:
            raise click.ClickException(
                f"{exc.file}: no sale lines" if lang == "en" else f"{exc.file}: нет строк продаж"
            ) from exc
        for err in exc.errors[:50]:
            click.echo(f"{exc.file.name}: {err.text(lang)}", err=True)
        if len(exc.errors) > 50:
            more = len(exc.errors) - 50
            click.echo(f"… and {more} more" if lang == "en" else f"… и ещё {more}", err=True)
        rows = len({e.position for e in exc.errors})
        raise click.ClickException(
            f"{rows} bad rows ({len(exc.errors)} errors): nothing analysed (fix them, or use --skip-bad-rows)"
            if lang == "en"
            else f"Строк с ошибками: {rows} (ошибок: {len(exc.errors)}); анализ не выполнен "
            "(исправьте их или используйте --skip-bad-rows)"
        ) from exc
    if as_json:
        payload = {
            **result.summary,
            "companies": frame_records(company_rows(result.report)),
            "skipped_rows": [e.text(lang) for e in result.skipped],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        if result.as_of_from_data:
            lead = (
                "As of the last sale in the file: " if lang == "en" else "На дату последней продажи в файле: "
            )
            click.echo(f"{lead}{result.as_of.isoformat()} (--as-of)", err=True)
        for err in result.skipped[:20]:
            click.echo(("skipped: " if lang == "en" else "пропущено: ") + err.text(lang), err=True)
        print_summary(result.summary, lang=lang)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        stem = f"clientfocus-analysis-{result.as_of.isoformat()}"
        write_workbook(out / f"{stem}.xlsx", result)
        write_html(out / f"{stem}.html", result, lang=lang)
        click.echo(f"{out / (stem + '.xlsx')}\n{out / (stem + '.html')}", err=as_json)


def _stage_printer():  # type: ignore[no-untyped-def]
    names = {"read": "reading the database", "analyse": "analysing", "write": "writing the snapshot"}
    return lambda stage: click.echo(f"… {names.get(stage, stage)}", err=True)


def _ensure_analysis(quiet: bool, *, force: bool = False, as_of: dt.date | None = None) -> None:
    """The workspace reads the analysis snapshot: compute it when there is none (or on request)."""
    from clientfocus.portfolio.selectors import snapshot_current
    from clientfocus.portfolio.services import analysis_recompute

    if force or snapshot_current() is None:
        snapshot = analysis_recompute(actor=None, as_of=as_of, progress=None if quiet else _stage_printer())
        click.echo(f"Analysis as of {snapshot.as_of}: {snapshot.seconds:.1f} s.")


def _print_logins() -> None:
    from clientfocus.portfolio.demo import DEMO_PASSWORD, DEMO_USERS

    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for username, role, full_name in DEMO_USERS:
        click.echo(f"  {username:<8} {role:<8} {full_name}")


def main() -> None:
    try:
        cli(prog_name="clientfocus")
    except KeyboardInterrupt:
        sys.exit(130)


cli.add_command(__import__("clientfocus.cli.transfer", fromlist=["import_command"]).import_command)
cli.add_command(__import__("clientfocus.cli.transfer", fromlist=["export_command"]).export_command)
cli.add_command(__import__("clientfocus.cli.weekly", fromlist=["plan_week_command"]).plan_week_command)

if __name__ == "__main__":
    main()
