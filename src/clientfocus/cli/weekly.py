"""`clientfocus plan-week`: next week's plan for every seller (seed 003 — meant for a Friday cron
job), or one seller's, through the same service as the "План недели" page."""

from __future__ import annotations

import datetime as dt

import click


@click.command("plan-week")
@click.option(
    "--week", "week", default=None, help="Any day of the week to plan (YYYY-MM-DD). Default: next week."
)
@click.option("--seller", "seller", default=None, help="Only this seller's plan (login).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def plan_week_command(week: str | None, seller: str | None, quiet: bool) -> None:
    """Build the weekly plans (accepted plans are kept as they are)."""
    from clientfocus.cli.main import setup_django

    setup_django()
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from clientfocus.accounts.models import Role, User
    from clientfocus.activities.weekly import monday_of, next_week_start, weekly_plan_build

    try:
        start = monday_of(dt.date.fromisoformat(week)) if week else next_week_start(timezone.localdate())
    except ValueError as exc:
        raise click.BadParameter(f"not a date: {week!r}", param_hint="--week") from exc
    sellers = User.objects.filter(is_active=True, role__in=[Role.SELLER, Role.MANAGER]).order_by("username")
    if seller:
        sellers = sellers.filter(username=seller)
        if not sellers.exists():
            raise click.BadParameter(f"no active seller {seller!r}", param_hint="--seller")
    people = list(sellers)
    built = kept = 0
    lines: list[str] = []
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
        disable=quiet,
    ) as bar:
        task = bar.add_task(f"week of {start}", total=len(people))
        for person in people:
            try:
                plan = weekly_plan_build(
                    actor=None, seller=person, week_start=start, today=timezone.localdate()
                )
            except ValidationError as exc:
                kept += 1
                lines.append(f"  {person.username:<12} kept: {' '.join(exc.messages)}")
            else:
                built += 1
                fit = plan.items.filter(date__isnull=False).count()
                unfit = plan.items.filter(date__isnull=True).count()
                lines.append(f"  {person.username:<12} {fit} planned, {unfit} do not fit")
            bar.advance(task)
    for line in lines:
        click.echo(line)
    click.echo(f"Week of {start}: {built} plans built, {kept} kept.")
