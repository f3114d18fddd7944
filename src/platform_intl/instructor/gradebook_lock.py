"""A SQLite gradebook that several grading processes write at once.

SQLite allows one writer at a time. With its default (deferred) transactions, two processes
that both read and then write can deadlock, and SQLite then fails one of them at once with
"database is locked", whatever the busy timeout. Taking the write lock when a transaction
begins (``BEGIN IMMEDIATE``) removes that case: a second writer waits, up to the busy
timeout, for the first to commit. nbgrader's transactions are short (it opens the gradebook
around each step, never across a notebook's execution), so the waits are milliseconds.

Call :func:`serialize_sqlite_writes` once in each process before it opens a gradebook; it
applies to every SQLite engine SQLAlchemy makes in that process (PostgreSQL is untouched: it
takes concurrent writers as it is).
"""

from __future__ import annotations

import sqlite3

#: Seconds a writer waits for another to commit before giving up.
BUSY_TIMEOUT_SECONDS = 120

_installed = False


def serialize_sqlite_writes(busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
    global _installed
    if _installed:
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _on_connect(dbapi_connection, connection_record) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            # SQLAlchemy, not the sqlite3 module, begins transactions (see _on_begin).
            dbapi_connection.isolation_level = None
            dbapi_connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")

    @event.listens_for(Engine, "begin")
    def _on_begin(connection) -> None:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    _installed = True
