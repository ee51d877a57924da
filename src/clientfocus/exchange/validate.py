"""Row validation in bulk: a chunk of string cells -> typed records + RowErrors.

Every cell is judged by the scalar parsers in `values.py` (the single authority). To make a
million lines cheap, a column with few distinct values (dates, ИНН, prices, managers) is
parsed once per distinct value and mapped back; a column with many (amounts) is parsed by
vectorised polars expressions that accept only the plain shapes ("-1 234,56", "31.12.2025"),
and the cells they do not accept go to the scalar parsers, which either read them or name
the problem. Both paths give the same value for every cell the fast path accepts.

Records come out as a polars frame: `row` (the record's line or sheet row) and one column per
target field of the kind, unmapped fields included (all null), typed as:
text/inn/kpp/email/activity kind -> String, date -> Date, money -> Int64 kopecks,
quantity -> Decimal(38, 3), int -> Int64. A record with any bad cell is left out and
reported; the others are kept (the caller decides between all-or-nothing and skipping).

Sales amount rule: when the amount is not in the file (or its cell is empty) and both
quantity and price are there, amount = quantity × price rounded to whole kopecks half away
from zero (1,5 × 0,03 ₽ = 0,045 ₽ -> 0,05 ₽; −0,045 ₽ -> −0,05 ₽).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

import polars as pl

from clientfocus.exchange import values as V
from clientfocus.exchange.errors import Position, RowError
from clientfocus.exchange.mapping import FIELDS, ONE_OF, ColumnMapping, FieldType, Kind
from clientfocus.exchange.table import Chunk

MAX_TEXT: Final = 2000  # characters in one text cell
FEW_DISTINCT: Final = 2000  # parse value by value below this many distinct cells ...
DISTINCT_SHARE: Final = 0.2  # ... or below this share of the chunk's rows

_DTYPES: Final[dict[FieldType, pl.DataType]] = {
    FieldType.TEXT: pl.String(),
    FieldType.INN: pl.String(),
    FieldType.KPP: pl.String(),
    FieldType.EMAIL: pl.String(),
    FieldType.ACTIVITY_KIND: pl.String(),
    FieldType.DATE: pl.Date(),
    FieldType.MONEY: pl.Int64(),
    FieldType.QUANTITY: pl.Int64(),  # thousandths while validating, Decimal(38, 3) on output
    FieldType.INT: pl.Int64(),
}
QUANTITY_DTYPE: Final = pl.Decimal(38, 3)
TOTAL_LABELS: Final = ["итого", "итого:", "всего", "всего:", "total", "total:", "grand total"]


def _milli(text: str) -> int:
    return int(V.parse_quantity(text) * 1000)


_SCALAR: Final[dict[FieldType, Callable[[str], object]]] = {
    FieldType.INN: V.parse_inn,
    FieldType.KPP: V.parse_kpp,
    FieldType.EMAIL: V.parse_email,
    FieldType.ACTIVITY_KIND: V.parse_activity_kind,
    FieldType.DATE: V.parse_date,
    FieldType.MONEY: V.parse_money,
    FieldType.QUANTITY: _milli,
    FieldType.INT: V.parse_int,
}

# --- vectorised fast paths -----------------------------------------------------------------

_SPACES: Final = [" ", "\u00a0", "\u2007", "\u2009", "\u202f"]
# Longest first, in the spellings files use; a rarer spelling goes to the scalar parser.
_CURRENCY_TOKENS: Final = [
    "руб.", "Руб.", "РУБ.", "руб", "Руб", "РУБ", "р.", "Р.", "р", "Р", "₽", "RUB", "rub",
    "RUR", "rur", "$", "€", "EUR", "eur", "USD", "usd",
]  # fmt: skip
_NUMBER: Final = (
    r"^(?P<open>\()?(?P<lead>[-−–])?(?P<int>\d+)(?:[.,](?P<frac>\d+))?"
    r"(?P<trail>[-−–])?(?P<close>\))?$"
)
_TIME: Final = r"(?:[ T](?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?)?"
_DATE: Final = r"^(\d{2}\.\d{2}\.\d{4}|\d{4}-\d{2}-\d{2})" + _TIME + "$"


def _scaled(s: pl.Series, places: int, max_int_digits: int) -> pl.Series:
    """Numbers in units of 10**-places, rounded half away from zero; null where the shape is
    not one of the common ones (those cells are the scalar parser's business).

    First pass, plain numbers ("-1 234,56"), through a float: with at most `places` decimals
    and at most 15 significant digits, the double nearest to the text, times 10**places, is
    within 0.25 of the integer n it stands for (two roundings of relative size 2**-53 on
    |n| < 10**15), so round() gives n exactly. Second pass, on the cells left: currency at
    either end, brackets, a trailing or Unicode minus and more decimals, in integers."""
    t = s.str.replace_many(_SPACES, [""] * len(_SPACES))
    shape = rf"^-?[0-9]{{1,{max_int_digits}}}(?:[.,][0-9]{{1,{places}}})?$"
    number = t.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
    scaled = (number * 10**places).round().cast(pl.Int64)
    out = pl.select(pl.when(t.str.contains(shape)).then(scaled)).to_series()
    left = t.is_not_null() & out.is_null()
    if left.any():
        index = left.arg_true()
        out = out.scatter(index, _scaled_general(t.gather(index), places, max_int_digits))
    return out


def _scaled_general(t: pl.Series, places: int, max_int_digits: int) -> pl.Series:
    # One literal strip per spelling present. Stripping stops at a digit, bracket or minus,
    # so when the rest is a number the scalar parser strips exactly the same text.
    lasts = set(t.str.slice(-1).unique().drop_nulls().to_list())
    firsts = set(t.str.slice(0, 1).unique().drop_nulls().to_list())
    for token in _CURRENCY_TOKENS:
        if token[-1] in lasts and t.str.ends_with(token).any():
            t = t.str.strip_suffix(token)
        if token[0] in firsts and t.str.starts_with(token).any():
            t = t.str.strip_prefix(token)
    g = t.str.extract_groups(_NUMBER).struct
    opened, closed = g.field("open").is_not_null(), g.field("close").is_not_null()
    signs = (
        opened.cast(pl.Int8)
        + g.field("lead").is_not_null().cast(pl.Int8)
        + g.field("trail").is_not_null().cast(pl.Int8)
    )
    frac = g.field("frac").fill_null("")
    whole = g.field("int")
    ok = whole.is_not_null() & (opened == closed) & (signs <= 1)
    ok = ok & (whole.str.len_chars() <= max_int_digits)
    magnitude = (
        whole.cast(pl.Int64) * 10**places
        + frac.str.slice(0, places).str.pad_end(places, "0").cast(pl.Int64)
        + (frac.str.slice(places, 1) >= "5").cast(pl.Int64)
    )
    signed = pl.select(pl.when(signs == 1).then(-magnitude).otherwise(magnitude)).to_series()
    return pl.select(pl.when(ok).then(signed)).to_series().cast(pl.Int64)


def _fast_money(s: pl.Series) -> pl.Series:
    return _scaled(s, 2, 13)


def _fast_quantity(s: pl.Series) -> pl.Series:
    return _scaled(s, 3, 12)


def _fast_int(s: pl.Series) -> pl.Series:
    g = s.str.replace_all(r"[\s\u00a0\u2007\u2009\u202f]+", "").str.extract_groups(
        r"^(?P<int>\d{1,15})(?:[.,]0+)?$"
    )
    return g.struct.field("int").cast(pl.Int64)


def _fast_date(s: pl.Series) -> pl.Series:
    part = s.str.extract(_DATE, 1)
    d = pl.select(
        pl.coalesce(part.str.to_date("%d.%m.%Y", strict=False), part.str.to_date("%Y-%m-%d", strict=False))
    ).to_series()
    lo, hi = date(V.MIN_YEAR, 1, 1), date(V.MAX_YEAR, 12, 31)
    return pl.select(pl.when((d >= lo) & (d <= hi)).then(d)).to_series()


_FAST: Final[dict[FieldType, Callable[[pl.Series], pl.Series]]] = {
    FieldType.MONEY: _fast_money,
    FieldType.QUANTITY: _fast_quantity,
    FieldType.INT: _fast_int,
    FieldType.DATE: _fast_date,
}


MEMO_LIMIT: Final = 200_000  # parsed cells remembered per column type (a file's ИНН, dates, prices)


@dataclass(frozen=True, slots=True)
class _Bad:
    code: str


Memo = dict[str, object]  # cell text -> parsed value, or _Bad(problem code)


def _by_value(s: pl.Series, ftype: FieldType, memo: Memo | None = None) -> tuple[pl.Series, pl.Series]:
    """Parse each distinct non-empty cell once; map values and error codes back. `memo` keeps
    the results from chunk to chunk (the same ИНН and dates recur all through a file)."""
    parse, dtype = _SCALAR[ftype], _DTYPES[ftype]
    memo = {} if memo is None else memo
    good_keys: list[str] = []
    good: list[object] = []
    bad_keys: list[str] = []
    bad: list[str] = []
    for text in s.drop_nulls().unique().to_list():
        result = memo.get(text, memo)
        if result is memo:
            try:
                result = parse(text)
            except V.ValueProblem as problem:
                result = _Bad(problem.code)
            if len(memo) >= MEMO_LIMIT:
                memo.clear()
            memo[text] = result
        if isinstance(result, _Bad):
            bad_keys.append(text)
            bad.append(result.code)
        else:
            good.append(result)
            good_keys.append(text)
    if dtype == pl.String() and good == good_keys:
        values = s  # already normalised (the usual ИНН column): no need to map
        if bad_keys:
            values = pl.select(pl.when(~s.is_in(bad_keys)).then(s)).to_series()
    else:
        values = s.replace_strict(good_keys, good, default=None, return_dtype=dtype)
    if not bad_keys:
        return values, pl.Series(s.name, [None] * s.len(), dtype=pl.String)
    codes = s.replace_strict(bad_keys, bad, default=None, return_dtype=pl.String)
    return values, codes


def parse_column(s: pl.Series, ftype: FieldType, memo: Memo | None = None) -> tuple[pl.Series, pl.Series]:
    """(typed values, error codes) for stripped cells (None = empty; empty gives no code).
    `memo`: the results of the cells parsed one by one in earlier chunks of the same column."""
    n = s.len()
    if ftype == FieldType.TEXT:
        too_long = s.str.len_chars() > MAX_TEXT
        codes = pl.select(pl.when(too_long).then(pl.lit("text_too_long"))).to_series()
        return s, codes.cast(pl.String)
    fast = _FAST.get(ftype)
    if fast is None or s.n_unique() <= max(FEW_DISTINCT, DISTINCT_SHARE * n):
        return _by_value(s, ftype, memo)
    values = fast(s).cast(_DTYPES[ftype])
    codes = pl.Series(s.name, [None] * n, dtype=pl.String)
    left = s.is_not_null() & values.is_null()
    if left.any():
        index = left.arg_true()
        more, more_codes = _by_value(s.gather(index), ftype, memo)
        values = values.scatter(index, more)
        codes = codes.scatter(index, more_codes)
    return values, codes


# --- records -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidatedChunk:
    records: pl.DataFrame  # good records only: "row" + one typed column per field
    errors: list[RowError]  # sorted by row, then column order in the file
    rows_read: int
    sheet: str | None = None

    @property
    def bad_rows(self) -> int:
        return len({e.position for e in self.errors})


def record_schema(kind: Kind) -> dict[str, pl.DataType]:
    """Column -> dtype of `ValidatedChunk.records` for `kind` (for the writers of the DB)."""
    schema: dict[str, pl.DataType] = {"row": pl.Int64()}
    for f in FIELDS[kind]:
        schema[f.name] = QUANTITY_DTYPE if f.type == FieldType.QUANTITY else _DTYPES[f.type]
    return schema


class RecordValidator:
    """Validates the chunks of one table against one mapping, as of `today`.

    `today` is passed in (never the clock), so a date after it is "in the future"."""

    def __init__(self, mapping: ColumnMapping, *, headers: Sequence[str], today: date) -> None:
        mapping.check(headers)
        self.mapping, self.today = mapping, today
        self.kind = mapping.kind
        self._order = {h: i for i, h in enumerate(headers)}
        self._memo: dict[str, Memo] = {}  # per field

    def validate(self, chunk: Chunk) -> ValidatedChunk:
        frame, n = chunk.frame, chunk.frame.height
        columns: dict[str, pl.Series] = {}
        raw: dict[str, pl.Series] = {}
        codes: dict[str, pl.Series] = {}
        for f in FIELDS[self.kind]:
            header = self.mapping.columns.get(f.name)
            if header is None:
                columns[f.name] = pl.Series(f.name, [None] * n, dtype=_DTYPES[f.type])
                continue
            cells = frame.get_column(header).str.strip_chars()
            cells = pl.select(pl.when(cells != "").then(cells)).to_series()
            values, problems = parse_column(cells, f.type, self._memo.setdefault(f.name, {}))
            if f.type == FieldType.DATE:
                future = (values > self.today).fill_null(False)
                problems = _first(problems, future, "date_in_future")
            if f.required and not (f.name == "amount" and self.kind == Kind.SALES):
                problems = _first(problems, cells.is_null(), "required")
            columns[f.name], raw[f.name], codes[f.name] = values, cells, problems
        if self.kind == Kind.SALES:
            self._amount(columns, raw, codes, n)
        for group in ONE_OF[self.kind]:
            mapped = [name for name in group if name in raw]
            nothing = pl.select(pl.all_horizontal([raw[name].is_null() for name in mapped])).to_series()
            codes[mapped[0]] = _first(codes[mapped[0]], nothing, "required")
        # A row with no value in any mapped column (spaces only) is blank, not wrong; so is a
        # report's total line ("Итого", "Всего", "Total" in the first column), which 1C puts
        # under its tables and which is not a sale.
        blank = pl.select(pl.all_horizontal([c.is_null() for c in raw.values()])).to_series()
        first = frame.get_column(frame.columns[0]).str.strip_chars().str.to_lowercase()
        blank = blank | first.is_in(TOTAL_LABELS).fill_null(False)
        if blank.any():
            codes = {k: pl.select(pl.when(~blank).then(c)).to_series() for k, c in codes.items()}
        bad = pl.select(
            pl.any_horizontal([c.is_not_null() for c in codes.values()] or [pl.lit(False)])
        ).to_series()
        if bad.len() != n:
            bad = pl.Series([False] * n)
        errors = self._errors(chunk, codes) if bad.any() else []
        out = {"row": chunk.rows, **columns}
        if "quantity" in out:
            out["quantity"] = _milli_to_decimal(out["quantity"])
        keep = ~(bad | blank)
        records = pl.DataFrame(out)
        if not keep.all():
            records = records.filter(keep)
        return ValidatedChunk(records, errors, int(keep.sum()) + int(bad.sum()), chunk.sheet)

    def _amount(
        self,
        columns: dict[str, pl.Series],
        raw: dict[str, pl.Series],
        codes: dict[str, pl.Series],
        n: int,
    ) -> None:
        q, p = columns["quantity"], columns["price"]
        product = pl.select(
            ((q.cast(pl.Int128) * p.cast(pl.Int128)).abs() + pl.lit(500, dtype=pl.Int128))
            // 1000
            * (q.cast(pl.Int128) * p.cast(pl.Int128)).sign()
        ).to_series()
        too_big = (product.abs() >= V.MAX_KOPECKS).fill_null(False)
        derived = pl.select(pl.when(~too_big).then(product)).to_series().cast(pl.Int64)
        amount_cells = raw.get("amount")
        missing = amount_cells.is_null() if amount_cells is not None else pl.Series([True] * n)
        columns["amount"] = (
            pl.select(pl.when(missing).then(derived).otherwise(columns["amount"])).to_series().alias("amount")
        )
        if "amount" in codes:
            overflow = missing & too_big
            codes["amount"] = _first(codes["amount"], overflow, "number_too_large")
            codes["amount"] = _first(
                codes["amount"],
                missing & derived.is_null() & ~overflow & _no_problem(codes, ("quantity", "price"), n),
                "required",
            )
            return
        for name in ("quantity", "price"):  # no amount column: both are needed
            codes[name] = _first(codes[name], raw[name].is_null(), "required")
        if "quantity" in codes:
            codes["quantity"] = _first(codes["quantity"], too_big, "number_too_large")

    def _errors(self, chunk: Chunk, codes: dict[str, pl.Series]) -> list[RowError]:
        errors: list[RowError] = []
        for name, problems in codes.items():
            header = self.mapping.columns[name]
            where = problems.is_not_null().arg_true().to_list()
            if not where:
                continue
            cells = chunk.frame.get_column(header).gather(where).to_list()
            rows = chunk.rows.gather(where).to_list()
            found = problems.gather(where).to_list()
            for row, cell, code in zip(rows, cells, found, strict=True):
                errors.append(RowError(Position(row, chunk.sheet), header, cell or "", code))
        errors.sort(key=lambda e: (e.position.row, self._order.get(e.column, 0)))
        return errors


def _first(codes: pl.Series, when: pl.Series, code: str) -> pl.Series:
    """Put `code` where `when` holds and no earlier problem was found."""
    return (
        pl.select(pl.when(codes.is_null() & when).then(pl.lit(code)).otherwise(codes))
        .to_series()
        .alias(codes.name)
    )


def _no_problem(codes: dict[str, pl.Series], names: tuple[str, ...], n: int) -> pl.Series:
    mask = pl.Series([True] * n)
    for name in names:
        if name in codes:
            mask = mask & codes[name].is_null()
    return mask


def _milli_to_decimal(milli: pl.Series) -> pl.Series:
    """Thousandths (Int64) -> Decimal(38, 3); the division is exact at scale 3."""
    thousand = pl.lit(1000, dtype=pl.Decimal(38, 0))
    return pl.select(milli.cast(QUANTITY_DTYPE) / thousand).to_series().alias(milli.name)


def validate_chunks(chunks: Iterator[Chunk], validator: RecordValidator) -> Iterator[ValidatedChunk]:
    for chunk in chunks:
        yield validator.validate(chunk)


def decimal_quantity(value: Decimal) -> Decimal:
    """The quantity as stored: 3 decimals (exposed for callers building rows by hand)."""
    return value.quantize(Decimal("0.001"))
