"""`clientfocus import` and `clientfocus export`: the command-line face of imports/services.py
and imports/exports.py (the same pipeline the web wizard runs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

KINDS = ("companies", "sales", "contacts", "activities")


def _actor(username: str | None) -> Any:
    from clientfocus.accounts.models import Role, User

    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise click.BadParameter(f"no active user {username!r}", param_hint="--user")
        return user
    user = (
        User.objects.filter(is_active=True).filter(role=Role.ADMIN).order_by("pk").first()
        or User.objects.filter(is_active=True, is_superuser=True).order_by("pk").first()
    )
    if user is None:
        raise click.UsageError("no admin user: pass --user USERNAME")
    return user


def _date(value: str | None, hint: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise click.BadParameter(f"expected YYYY-MM-DD, got {value!r}", param_hint=hint) from exc


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False), required=False)
@click.option("--kind", type=click.Choice(KINDS), default="sales", show_default=True)
@click.option("--sheet", default="", help="XLSX sheet name (default: the first visible one).")
@click.option("--mapping", "mapping_name", default=None, help="A mapping saved by name in the web wizard.")
@click.option("--map", "maps", multiple=True, metavar="FIELD=HEADER", help="Map one field to a file column.")
@click.option("--dry-run", is_flag=True, help="Check only: report every problem, write nothing.")
@click.option("--skip-bad-rows", is_flag=True, help="Write the good rows; save the bad ones as rejects.")
@click.option(
    "--create-companies", is_flag=True, help="Create clients a sales/contacts file names but we lack."
)
@click.option("--as-of", "as_of", default=None, help="'Today' for the checks and the analysis (YYYY-MM-DD).")
@click.option("--user", "username", default=None, help="Import as this user (default: the first admin).")
@click.option("--resume", "resume_id", type=int, default=None, help="Continue an interrupted job by its id.")
@click.option("--no-recompute", is_flag=True, help="Leave the analysis marked stale (recompute later).")
@click.option("--lang", type=click.Choice(["ru", "en"]), default="ru", show_default=True)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def import_command(
    file: str | None,
    kind: str,
    sheet: str,
    mapping_name: str | None,
    maps: tuple[str, ...],
    dry_run: bool,
    skip_bad_rows: bool,
    create_companies: bool,
    as_of: str | None,
    username: str | None,
    resume_id: int | None,
    no_recompute: bool,
    lang: str,
    quiet: bool,
) -> None:
    """Import FILE (CSV/TSV or XLSX; 1C, Excel, another CRM) as companies, sales, contacts or
    activities. All-or-nothing unless --skip-bad-rows; importing the same file again changes nothing."""
    from clientfocus.cli.main import setup_django

    setup_django()
    from django.utils import translation

    from clientfocus.exchange import ColumnMapping, ExchangeError, Kind, auto_map
    from clientfocus.imports import services
    from clientfocus.imports.models import ImportJob, SavedMapping

    translation.activate(lang)
    actor = _actor(username)
    if not services.may_import(actor):
        raise click.UsageError(f"{actor.username} may not import")
    day = _date(as_of, "--as-of")
    try:
        if resume_id is not None:
            job = ImportJob.objects.filter(pk=resume_id, created_by=actor).first()
            if job is None:
                raise click.BadParameter(f"no job {resume_id} of {actor.username}", param_hint="--resume")
        else:
            if file is None:
                raise click.UsageError("FILE is required (or --resume JOB_ID)")
            mapping = None
            if mapping_name:
                saved = SavedMapping.objects.filter(owner=actor, kind=kind, name=mapping_name).first()
                if saved is None:
                    raise click.BadParameter(
                        f"no saved {kind} mapping {mapping_name!r}", param_hint="--mapping"
                    )
                mapping = ColumnMapping(Kind(kind), saved.columns)
            job = services.job_create_path(
                actor=actor,
                path=file,
                kind=kind,
                sheet=sheet,
                mapping=mapping,
                skip_bad_rows=skip_bad_rows,
                create_companies=create_companies,
                as_of=day,
            )
            if maps:
                current = (
                    ColumnMapping.from_dict(job.mapping) if job.mapping else auto_map(job.headers, Kind(kind))
                )
                for item in maps:
                    field, sep, header = item.partition("=")
                    if not sep:
                        raise click.BadParameter(f"expected FIELD=HEADER, got {item!r}", param_hint="--map")
                    current = current.with_column(field.strip(), header.strip() or None)
                services.job_configure(actor=actor, job=job, columns=dict(current.columns))
        with _progress(quiet) as progress:
            if dry_run:
                job = services.job_check(actor=actor, job=job, progress=progress)
            else:
                job = services.job_run(
                    actor=actor,
                    job=job,
                    progress=progress,
                    recompute=not no_recompute,
                    resume=resume_id is not None,
                )
    except ExchangeError as exc:
        raise click.ClickException(exc.text("en" if lang == "en" else "ru")) from exc
    _print_result(job, lang, dry_run)
    if job.state in (ImportJob.State.REFUSED, ImportJob.State.FAILED):
        raise SystemExit(1)


class _progress:
    """A rich progress bar: rows checked, then chunks written."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def __enter__(self) -> Any:
        if self.quiet:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=True,
        )
        self.bar.start()
        self.tasks: dict[str, Any] = {}

        def report(phase: str, done: int, total: int | None) -> None:
            if phase not in self.tasks:
                label = {"check": "checking rows", "write": "writing chunks"}.get(phase, phase)
                self.tasks[phase] = self.bar.add_task(label, total=total)
            self.bar.update(self.tasks[phase], completed=done, total=total)

        return report

    def __exit__(self, *exc: object) -> None:
        if not self.quiet:
            self.bar.stop()


def _print_result(job: Any, lang: str, dry_run: bool) -> None:
    from clientfocus.imports.pipeline import rejects_path, report_path
    from clientfocus.imports.problems import problem_text

    click.echo(
        f"job {job.pk}: {job.state}; rows read {job.rows_read:,}, good {job.rows_good:,}, "
        f"bad {job.rows_bad:,}; "
        f"added {job.rows_added:,}, updated {job.rows_updated:,}, unchanged {job.rows_unchanged:,}, "
        f"companies created {job.companies_created:,}" + (f"; {job.seconds:.1f} s" if job.seconds else "")
    )
    if job.message_code:
        from clientfocus.imports.views import job_message

        click.echo(job_message(job, lang), err=True)
    for problem in job.problems[:50]:
        click.echo(problem_text(problem, lang), err=True)
    if job.error_count > 50:
        click.echo(f"… {job.error_count - 50:,} more problems in the report", err=True)
    if job.error_count:
        click.echo(f"report: {report_path(job)}")
    if job.skip_bad_rows and rejects_path(job).exists():
        click.echo(f"rejects: {rejects_path(job)}")
    if dry_run:
        click.echo("dry run: nothing was written")


@click.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["xlsx", "csv", "csv-ru"]), default="xlsx", show_default=True
)
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option(
    "--user", "username", default=None, help="Export what this user sees (default: the first admin)."
)
@click.option("--lang", type=click.Choice(["ru", "en"]), default="ru", show_default=True)
def export_command(fmt: str, out: str, username: str | None, lang: str) -> None:
    """Export the portfolio (categories, temperature, quadrant, alerts, contacts) to XLSX or CSV."""
    from clientfocus.cli.main import setup_django

    setup_django()
    from django.utils import translation

    from clientfocus.imports.exports import portfolio_export
    from clientfocus.portfolio.selectors import PortfolioFilters

    translation.activate(lang)
    actor = _actor(username)
    portfolio_export(user=actor, filters=PortfolioFilters(), fmt=fmt, target=out)  # type: ignore[arg-type]
    click.echo(f"written: {out}")
