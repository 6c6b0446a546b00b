"""The ledger's full-text index: what a search over requests reads instead of scanning
every request and its events.

One row per request in `ledger_requesttext`: `body` is the tracking number, the content and
every non-empty event note joined by U+001F (a character no query may hold, so no match
spans two fields), `name` the applicant's name, kept apart because only the agency's own
staff may search by it. Database triggers keep the rows in step with every write to
ledger_request and ledger_event (services, import, admin, bulk loads alike).

Chinese text has no word boundaries and a search is a substring match, so both indexes
are built on character n-grams:

- SQLite: an FTS5 table with the trigram tokenizer. A query of three characters or more
  is a phrase of its trigrams; a query of one or two characters is a range of the index's
  terms (every trigram that begins with it: the indexed text ends with two U+001F, so every
  character begins a trigram), read through an fts5vocab table.
- PostgreSQL: the distinct characters and character pairs of the upper-cased text, as numbers in an
  array column with a GIN index; a query's own characters and pairs must all be there.
  (pg_trgm cannot serve one- and two-character queries, the usual search by surname.)

Either index only narrows the candidates: every candidate is then checked with the same
LIKE that Django's `icontains` writes, so the results are exactly those of a scan.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL

TABLE = "ledger_requesttext"
FTS = "ledger_requesttext_fts"
TERMS = "ledger_requesttext_terms"

# --- SQLite -----------------------------------------------------------------------------

_SQLITE_BODY = ("r.tracking_no || char(31) || r.content || coalesce((SELECT group_concat(char(31) || e.note, '') "
                "FROM ledger_event e WHERE e.request_id = r.id AND e.note <> ''), '')")


def _sqlite_recompute(rid: str) -> str:
    return f"UPDATE {TABLE} SET body = (SELECT {_SQLITE_BODY} FROM ledger_request r WHERE r.id = {rid}) WHERE request_id = {rid};"


_SQLITE_TABLE = [
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (request_id integer NOT NULL PRIMARY KEY, agency_id integer NOT NULL,
        body text NOT NULL, name text NOT NULL)""",
    f"CREATE INDEX IF NOT EXISTS ledger_requesttext_agency ON {TABLE} (agency_id)",
]
_SQLITE_TRIGGERS = {
    "ledger_requesttext_ri": f"""AFTER INSERT ON ledger_request BEGIN
        INSERT INTO {TABLE} (request_id, agency_id, body, name)
            SELECT r.id, r.agency_id, {_SQLITE_BODY}, r.applicant_name FROM ledger_request r WHERE r.id = new.id;
        END""",
    "ledger_requesttext_ru": f"""AFTER UPDATE OF tracking_no, content, applicant_name, agency_id ON ledger_request
        WHEN old.tracking_no IS NOT new.tracking_no OR old.content IS NOT new.content OR old.applicant_name IS NOT new.applicant_name
             OR old.agency_id IS NOT new.agency_id
        BEGIN
        UPDATE {TABLE} SET name = new.applicant_name, agency_id = new.agency_id WHERE request_id = new.id;
        {_sqlite_recompute("new.id")}
        END""",
    "ledger_requesttext_rd": f"AFTER DELETE ON ledger_request BEGIN DELETE FROM {TABLE} WHERE request_id = old.id; END",
    # A new note is appended: the usual write, and the cheapest.
    "ledger_requesttext_ei": f"""AFTER INSERT ON ledger_event WHEN new.request_id IS NOT NULL AND new.note <> '' BEGIN
        UPDATE {TABLE} SET body = body || char(31) || new.note WHERE request_id = new.request_id;
        END""",
    "ledger_requesttext_eu": f"""AFTER UPDATE OF note, request_id ON ledger_event
        WHEN old.note IS NOT new.note OR old.request_id IS NOT new.request_id BEGIN
        {_sqlite_recompute("old.request_id")}
        {_sqlite_recompute("new.request_id")}
        END""",
    "ledger_requesttext_ed": f"""AFTER DELETE ON ledger_event WHEN old.request_id IS NOT NULL AND old.note <> '' BEGIN
        {_sqlite_recompute("old.request_id")}
        END""",
}
# Two U+001F after each value: every character of the text then begins a trigram.
_PAD = "char(31, 31)"
_SQLITE_FTS = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(body, name, content='', tokenize='trigram')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TERMS} USING fts5vocab({FTS}, instance)",
]
_SQLITE_FTS_TRIGGERS = {
    "ledger_requesttext_fi": f"""AFTER INSERT ON {TABLE} BEGIN
        INSERT INTO {FTS} (rowid, body, name) VALUES (new.request_id, new.body || {_PAD}, new.name || {_PAD});
        END""",
    "ledger_requesttext_fu": f"""AFTER UPDATE ON {TABLE} BEGIN
        INSERT INTO {FTS} ({FTS}, rowid, body, name) VALUES ('delete', old.request_id, old.body || {_PAD}, old.name || {_PAD});
        INSERT INTO {FTS} (rowid, body, name) VALUES (new.request_id, new.body || {_PAD}, new.name || {_PAD});
        END""",
    "ledger_requesttext_fd": f"""AFTER DELETE ON {TABLE} BEGIN
        INSERT INTO {FTS} ({FTS}, rowid, body, name) VALUES ('delete', old.request_id, old.body || {_PAD}, old.name || {_PAD});
        END""",
}

# --- PostgreSQL -------------------------------------------------------------------------

_PG_FUNCTIONS = [
    # The distinct characters and character pairs of a text, as numbers: a character by its
    # code point, a pair folded into an int by plain arithmetic (a collision only adds a
    # candidate, which the LIKE then drops). Numbers keep the rows narrow: half the size of
    # the same grams as text[], and half the time to read the candidates.
    """CREATE OR REPLACE FUNCTION ledger_grams(t text) RETURNS int[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT array(SELECT DISTINCT g FROM (
            SELECT ascii(a) AS g FROM unnest(c) AS a
            UNION ALL SELECT ((ascii(a)::bigint * 1114112 + ascii(b)) % 2147483647)::int
                FROM unnest(c[1:cardinality(c) - 1], c[2:cardinality(c)]) AS z(a, b)) q)
        FROM (SELECT regexp_split_to_array(t, '') AS c) x $$""",
    # Stored upper-cased: `icontains` compares UPPER(column) with UPPER(query) on PostgreSQL.
    """CREATE OR REPLACE FUNCTION ledger_requesttext_body(rid bigint) RETURNS text LANGUAGE sql STABLE AS $$
        SELECT upper(r.tracking_no || chr(31) || r.content || coalesce((SELECT string_agg(chr(31) || e.note, '' ORDER BY e.id)
            FROM ledger_event e WHERE e.request_id = r.id AND e.note <> ''), ''))
        FROM ledger_request r WHERE r.id = rid $$""",
    f"""CREATE OR REPLACE FUNCTION ledger_requesttext_request() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                DELETE FROM {TABLE} WHERE request_id = old.id;
            ELSIF TG_OP = 'INSERT' THEN
                INSERT INTO {TABLE} (request_id, agency_id, body, name)
                    VALUES (new.id, new.agency_id, ledger_requesttext_body(new.id), upper(new.applicant_name));
            ELSE
                UPDATE {TABLE} SET agency_id = new.agency_id, body = ledger_requesttext_body(new.id), name = upper(new.applicant_name)
                    WHERE request_id = new.id;
            END IF;
            RETURN NULL;
        END $$""",
    f"""CREATE OR REPLACE FUNCTION ledger_requesttext_event() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                UPDATE {TABLE} SET body = body || chr(31) || upper(new.note) WHERE request_id = new.request_id;
            ELSE
                UPDATE {TABLE} SET body = ledger_requesttext_body(request_id) WHERE request_id = old.request_id;
                IF TG_OP = 'UPDATE' THEN
                    UPDATE {TABLE} SET body = ledger_requesttext_body(request_id) WHERE request_id = new.request_id;
                END IF;
            END IF;
            RETURN NULL;
        END $$""",
]
_PG_TABLE = [
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (request_id bigint NOT NULL PRIMARY KEY, agency_id bigint NOT NULL,
        body text NOT NULL, name text NOT NULL,
        grams int[] GENERATED ALWAYS AS (ledger_grams(body)) STORED,
        name_grams int[] GENERATED ALWAYS AS (ledger_grams(name)) STORED)""",
    f"CREATE INDEX IF NOT EXISTS ledger_requesttext_agency ON {TABLE} (agency_id)",
    f"CREATE INDEX IF NOT EXISTS ledger_requesttext_grams ON {TABLE} USING gin (grams)",
    f"CREATE INDEX IF NOT EXISTS ledger_requesttext_name_grams ON {TABLE} USING gin (name_grams)",
]
_PG_TRIGGERS = {
    "ledger_requesttext_ri": "AFTER INSERT ON ledger_request FOR EACH ROW EXECUTE FUNCTION ledger_requesttext_request()",
    "ledger_requesttext_ru": """AFTER UPDATE OF tracking_no, content, applicant_name, agency_id ON ledger_request FOR EACH ROW
        WHEN (old.tracking_no IS DISTINCT FROM new.tracking_no OR old.content IS DISTINCT FROM new.content
              OR old.applicant_name IS DISTINCT FROM new.applicant_name OR old.agency_id IS DISTINCT FROM new.agency_id)
        EXECUTE FUNCTION ledger_requesttext_request()""",
    "ledger_requesttext_rd": "AFTER DELETE ON ledger_request FOR EACH ROW EXECUTE FUNCTION ledger_requesttext_request()",
    "ledger_requesttext_ei": """AFTER INSERT ON ledger_event FOR EACH ROW WHEN (new.request_id IS NOT NULL AND new.note <> '')
        EXECUTE FUNCTION ledger_requesttext_event()""",
    "ledger_requesttext_eu": """AFTER UPDATE OF note, request_id ON ledger_event FOR EACH ROW
        WHEN (old.note IS DISTINCT FROM new.note OR old.request_id IS DISTINCT FROM new.request_id)
        EXECUTE FUNCTION ledger_requesttext_event()""",
    "ledger_requesttext_ed": """AFTER DELETE ON ledger_event FOR EACH ROW WHEN (old.request_id IS NOT NULL AND old.note <> '')
        EXECUTE FUNCTION ledger_requesttext_event()""",
}


def _triggers(conn: BaseDatabaseWrapper) -> dict[str, str]:
    if conn.vendor == "postgresql":
        return _PG_TRIGGERS
    return {**_SQLITE_TRIGGERS, **(_SQLITE_FTS_TRIGGERS if _has_table(conn, FTS) else {})}


def _has_table(conn: BaseDatabaseWrapper, name: str) -> bool:
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            cur.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        else:
            cur.execute("SELECT count(*) FROM sqlite_master WHERE name = %s", [name])
        return bool(cur.fetchone()[0])


def _existing_triggers(conn: BaseDatabaseWrapper) -> set[str]:
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            cur.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE %s AND NOT tgisinternal", ["ledger_requesttext_%"])
        else:
            cur.execute("SELECT name FROM sqlite_master WHERE type = %s AND name LIKE %s", ["trigger", "ledger_requesttext_%"])
        return {row[0] for row in cur.fetchall()}


def supported(conn: BaseDatabaseWrapper) -> bool:
    return conn.vendor in ("sqlite", "postgresql")


def install(conn: BaseDatabaseWrapper) -> None:
    """Create the table, its index and triggers, and fill it from the ledger as it is.
    Idempotent; a database whose SQLite lacks FTS5's trigram tokenizer (before 3.34) gets
    the table without the index, and searches scan the table."""
    if not supported(conn):
        return
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            for sql in _PG_FUNCTIONS + _PG_TABLE:
                cur.execute(sql)
        else:
            for sql in _SQLITE_TABLE:
                cur.execute(sql)
            try:
                for sql in _SQLITE_FTS:
                    cur.execute(sql)
            except Exception:  # sqlite3.OperationalError: no fts5 or no trigram tokenizer
                pass
    rebuild(conn)


def uninstall(conn: BaseDatabaseWrapper) -> None:
    if not supported(conn):
        return
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            for name in _PG_TRIGGERS:
                table = "ledger_request" if name.startswith("ledger_requesttext_r") else "ledger_event"
                cur.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            cur.execute(f"DROP TABLE IF EXISTS {TABLE}")
            for fn in ("ledger_requesttext_request()", "ledger_requesttext_event()", "ledger_requesttext_body(bigint)",
                       "ledger_grams(text)"):
                cur.execute(f"DROP FUNCTION IF EXISTS {fn}")
        else:
            for name in {**_SQLITE_TRIGGERS, **_SQLITE_FTS_TRIGGERS}:
                cur.execute(f"DROP TRIGGER IF EXISTS {name}")
            for table in (TERMS, FTS, TABLE):
                cur.execute(f"DROP TABLE IF EXISTS {table}")


def rebuild(conn: BaseDatabaseWrapper) -> None:
    """Refill the table from the ledger and (re)create the triggers: after install, and when
    a migration has dropped the triggers (SQLite rebuilds a table to alter it, and its
    triggers go with the old table)."""
    triggers = _triggers(conn)
    with conn.cursor() as cur:
        for name in triggers:
            if conn.vendor == "postgresql":
                table = "ledger_request" if name.startswith("ledger_requesttext_r") else "ledger_event"
                cur.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            else:
                cur.execute(f"DROP TRIGGER IF EXISTS {name}")
        cur.execute(f"DELETE FROM {TABLE}")
        if conn.vendor == "postgresql":
            cur.execute(f"INSERT INTO {TABLE} (request_id, agency_id, body, name) "
                        "SELECT r.id, r.agency_id, ledger_requesttext_body(r.id), upper(r.applicant_name) FROM ledger_request r")
            cur.execute(f"ANALYZE {TABLE}")
        else:
            if _has_table(conn, FTS):
                cur.execute(f"INSERT INTO {FTS} ({FTS}) VALUES ('delete-all')")
            cur.execute(f"INSERT INTO {TABLE} (request_id, agency_id, body, name) "
                        f"SELECT r.id, r.agency_id, {_SQLITE_BODY}, r.applicant_name FROM ledger_request r")
            if _has_table(conn, FTS):
                cur.execute(f"INSERT INTO {FTS} (rowid, body, name) SELECT request_id, body || {_PAD}, name || {_PAD} FROM {TABLE}")
        for name, body in triggers.items():
            cur.execute(f"CREATE TRIGGER {name} {body}")


def ensure(conn: BaseDatabaseWrapper) -> bool:
    """Re-create missing triggers and refill the table (after `migrate`). True when it had to."""
    if not supported(conn) or not _has_table(conn, TABLE):
        return False
    if set(_triggers(conn)) <= _existing_triggers(conn):
        return False
    rebuild(conn)
    return True


# --- Queries ----------------------------------------------------------------------------

# Up to this many matches their ids are read once, and the page and its count look them up.
# Beyond, the page reads the ledger in its order and checks each row's text, stopping after
# a page's worth; the count checks them all (bench/ledger.py: "search, every row").
FEW = 5000


def _caseless(q: str) -> bool:
    return all(c.lower() == c == c.upper() for c in q)


def match(q: str, personal: bool, agencies: list[int] | None = None) -> Q | None:
    """The requests whose text contains `q` (case as Django's `icontains`), the applicant's
    name included when `personal`; `agencies` narrows the search to the agencies the caller
    may see (the caller still filters by them). None when the index cannot answer — a control
    character in the query, a database without the table: the caller then filters the
    ledger's own columns."""
    from .models import RequestText

    conn = connection
    if not q or any(ord(c) < 32 for c in q) or not supported(conn) or not _has_table(conn, TABLE):
        return None
    pg = conn.vendor == "postgresql"
    pattern = f"%{conn.ops.prep_for_like_query(q)}%"
    # The table holds PostgreSQL's text upper-cased already; SQLite's LIKE ignores ASCII case
    # as Django's icontains does there.
    like = "LIKE UPPER(%s)" if pg else "LIKE %s ESCAPE '\\'"
    # The row's own condition, exact.
    row = f"({{t}}body {like}" + (f" OR {{t}}name {like})" if personal else ")")
    row_params: list[Any] = [pattern, pattern] if personal else [pattern]
    if agencies is not None:
        row += f" AND {{t}}agency_id IN ({', '.join(str(int(a)) for a in agencies) or 'NULL'})"
    source, where, params, distinct = f"{TABLE} t", row.format(t="t."), list(row_params), ""
    if pg:
        where += " AND (t.grams @> ledger_grams(upper(%s))" + (" OR t.name_grams @> ledger_grams(upper(%s)))" if personal else ")")
        params += [q, q] if personal else [q]
    elif _has_table(conn, FTS) and len(q) >= 3:
        # CROSS JOIN keeps SQLite reading the index first.
        phrase = '"' + q.replace('"', '""') + '"'
        source = f"{FTS} f CROSS JOIN {TABLE} t ON t.request_id = f.rowid"
        where = f"{FTS} MATCH %s AND {where}"
        params = [phrase if personal else f"body : {phrase}", *params]
    elif _has_table(conn, FTS) and not q.isascii() and _caseless(q):
        # Every trigram that begins with the one or two characters. (A letter or a digit or
        # two begins a large share of the terms: the table is scanned instead.)
        source = f"{TERMS} v CROSS JOIN {TABLE} t ON t.request_id = v.doc"
        where = "v.term >= %s AND v.term < %s" + ("" if personal else " AND v.col = 'body'") + f" AND {where}"
        params = [q, q + "\U0010ffff", *params]
        distinct = "DISTINCT "  # a request once per matching trigram
    found = f"SELECT {distinct}t.request_id FROM {source} WHERE {where}"
    with conn.cursor() as cur:
        cur.execute(f"{found} LIMIT {FEW + 1}", params)
        ids = [r[0] for r in cur.fetchall()]
    if len(ids) <= FEW:
        # One parameter for the list, not one each.
        if pg:
            return Q(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids]))
        return Q(pk__in=RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)]))
    if source.startswith(FTS):
        # SQLite's trigram index still narrows a longer query well: its matches are read once.
        return Q(pk__in=RawSQL(found, params))
    # Many matches: each request's text is checked in the order of the list, so a page stops
    # after its rows, and the count checks every row — with the LIKE alone: the GIN index read
    # for a common character costs more than the scan (bench/ledger.py, "search, every row").
    text = RequestText.objects.filter(request_id=OuterRef("pk")).extra(where=[row.format(t="")], params=row_params)
    return Q(Exists(text))
