"""ClientFocus analytics: the selling method of PRODUCT.md as pure functions over polars frames.

Framework-free (never imports Django or another clientfocus package; import-linter checks it).
Entry points::

    facts = PortfolioFacts.create(monthly=..., daily=..., companies=..., last_activity=...)
    report = analyse_portfolio(facts, as_of=date(2025, 6, 30), settings=Settings())

The loader asks :func:`edge_months` which months to read at day granularity; the file-based
CLI builds facts straight from sale lines with :func:`facts_from_lines`. The input contract is
documented in :mod:`clientfocus.analytics.types`.
"""

from clientfocus.analytics.facts import edge_months, facts_from_lines
from clientfocus.analytics.portfolio import COMPANY_COLUMNS, REASON_COLUMNS, analyse_portfolio
from clientfocus.analytics.types import (
    BtydFit,
    ContractError,
    ParetoSummary,
    PortfolioFacts,
    PortfolioReport,
    Settings,
    Text,
    TopTenCheck,
)

__all__ = [
    "COMPANY_COLUMNS",
    "REASON_COLUMNS",
    "BtydFit",
    "ContractError",
    "ParetoSummary",
    "PortfolioFacts",
    "PortfolioReport",
    "Settings",
    "Text",
    "TopTenCheck",
    "analyse_portfolio",
    "edge_months",
    "facts_from_lines",
]
