"""`clientfocus` — the command line: demo data, serve, migrate, and Django's own commands.

Django is set up lazily, inside the commands that need a database, so that commands working
straight from files (analyze --sales FILE) run without a server or a database.
"""

from __future__ import annotations

import os
import sys

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
    from clientfocus.portfolio.demo import DemoSpec, demo_load, demo_users_exist

    if if_empty and demo_users_exist():
        click.echo("The database already has a portfolio: the demo was not loaded again.")
        _print_logins()
        return
    spec = DemoSpec(
        companies=companies,
        lines=lines if lines is not None else companies * 100,
        seed=seed,
        as_of=dt.date.fromisoformat(as_of) if as_of else dt.date.today(),
    )
    result = demo_load(spec, progress=not quiet)
    click.echo(
        f"Demo portfolio: {result.companies:,} companies, {result.lines:,} sale lines, "
        f"{result.contacts:,} contacts, {result.activities:,} activities, {result.deals:,} deals "
        f"in {result.seconds:.1f} s."
    )
    _print_logins()


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


if __name__ == "__main__":
    main()
