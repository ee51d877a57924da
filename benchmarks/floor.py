"""The floor the write benchmarks compare with: the database's own bulk path into an empty copy
of the sale table, with the same indexes and constraints."""

from __future__ import annotations


def clone_sale_table(connection: object, name: str) -> str:
    """Create `name`, an empty table shaped like sales_sale with its indexes and constraints."""
    from clientfocus.sales.models import Sale

    src = Sale._meta.db_table
    with connection.cursor() as cur:  # type: ignore[attr-defined]
        if connection.vendor == "postgresql":  # type: ignore[attr-defined]
            # LIKE copies columns, defaults, indexes and checks but not foreign keys: add those
            # the sale table has (none since sales migration 0006), so the floor pays the same
            # per-row checks.
            cur.execute(f"CREATE TABLE {name} (LIKE {src} INCLUDING ALL)")
            cur.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype = 'f'",
                [src],
            )
            for (definition,) in cur.fetchall():
                cur.execute(f"ALTER TABLE {name} ADD {definition}")
        else:
            cur.execute(
                "SELECT type, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL "
                "ORDER BY type DESC",
                [src],
            )
            for kind, sql in cur.fetchall():
                sql = sql.replace(f'"{src}"', f'"{name}"')
                if kind == "index":
                    sql = sql.replace('INDEX "', f'INDEX "{name}_', 1)
                cur.execute(sql)
    return name
