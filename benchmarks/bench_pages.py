"""Server-side render time of every workspace page, 50 fetches each, as the demo users.

    CLIENTFOCUS_VAR=/path/with/a/demo .venv/bin/python benchmarks/bench_pages.py [--runs 50]

Runs in-process through Django's test client against the configured database (SQLite by
default; DATABASE_URL for PostgreSQL), after one warm-up fetch per page. The reference in the
same run is the login page: the cost of the framework, middleware and layout alone. Target
(issue 5): every page <= 300 ms at the 95th percentile with the 100,000-company demo on SQLite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientfocus.config.settings")


def main() -> int:
    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse

    from clientfocus.accounts.models import User
    from clientfocus.companies.models import Company
    from clientfocus.portfolio.models import CompanyAnalysis

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--target-ms", type=float, default=300.0)
    args = parser.parse_args()

    companies = Company.objects.count()
    seller = User.objects.get(username="anna")
    manager = User.objects.get(username="manager")
    admin = User.objects.get(username="admin")
    top = (
        CompanyAnalysis.objects.filter(company__owner=seller)
        .order_by("-revenue_12m")
        .values_list("company_id", flat=True)
        .first()
    )
    pages = [
        ("login (reference)", None, reverse("login")),
        ("my day", seller, reverse("portfolio:myday")),
        ("portfolio", seller, reverse("portfolio:portfolio")),
        (
            "portfolio, filtered",
            manager,
            reverse("portfolio:portfolio") + "?category=A&temperature=blue&sort=potential",
        ),
        ("portfolio, page 20", admin, reverse("portfolio:portfolio") + "?page=20"),
        ("portfolio, search", admin, reverse("portfolio:portfolio") + "?q=%D1%82%D1%80%D0%B5%D0%B9%D0%B4"),
        ("analysis (seller)", seller, reverse("portfolio:analysis")),
        ("analysis (manager)", manager, reverse("portfolio:analysis")),
        ("analysis (admin, all)", admin, reverse("portfolio:analysis")),
        ("team", manager, reverse("portfolio:team")),
        ("settings", admin, reverse("portfolio:settings")),
        ("companies", seller, reverse("companies:list")),
        ("company card", seller, reverse("companies:detail", args=[top])),
    ]
    print(f"{companies:,} companies; {args.runs} fetches per page; database: {django.db.connection.vendor}")
    # Other work on the same cores moves the figures: print the load beside them.
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"{'page':<24}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  status")
    failed = False
    for label, user, url in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        if user is not None:
            client.force_login(user)
        response = client.get(url)  # warm-up
        assert response.status_code == 200, (label, response.status_code)
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        ok = p95 <= args.target_ms
        failed |= not ok and user is not None
        print(
            f"{label:<24}{statistics.median(times):>9.1f}{p95:>9.1f}{times[-1]:>9.1f}  "
            f"{'ok' if ok else 'SLOW'}"
        )
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    sys.exit(main())
