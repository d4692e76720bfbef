"""SQLite through aiosqlite in as few trips to its thread as the statements allow.

aiosqlite runs SQLite on a thread of its own; SQLAlchemy's adapter goes there three or four
times per statement (open a cursor, execute, fetch, close) and once more to commit, and after
each trip the statement waits for the event loop to come round. A process has one SQLite connection
(db/engine.py): on a busy worker, a letter's or a record's transaction held it for ten
trips, and the next ones queued behind it (bench/README.md, "The SQLite connection").

Here a statement goes once (run, rows fetched, cursor closed, results brought back together);
the statements of a transaction opened with `statements(..., batched=True)` whose results
nobody reads (inserts, updates, deletes) wait and go with the commit; and a commit or a
rollback with no transaction open on SQLite's side makes no trip (reads alone open none, yet
the pool rolls back a connection it takes back from them, and so does a session closing).
Such a transaction holds the connection for one trip.

It relies on two attributes of aiosqlite's connection that SQLAlchemy's own adapter uses too:
`_conn`, the sqlite3 connection, and `_execute`, which queues a function for its thread.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_

# (description, rowcount, lastrowid, rows) of a statement, as its cursor would give them.
_Outcome = tuple[Any, int, int | None, list[Any]]
_NOTHING: _Outcome = (None, -1, None, [])
# A statement: its SQL, its parameters, and whether they are many rows' (executemany).
_Statement = tuple[str, Any, bool]


def _run(connection: sqlite3.Connection, statements: list[_Statement], commit: bool) -> _Outcome:
    """On SQLite's thread: the statements run in order (the last one's rows fetched), each
    cursor closed, then the commit if asked."""
    outcome = _NOTHING
    for operation, parameters, many in statements:
        cursor = connection.cursor()
        try:
            if many:
                cursor.executemany(operation, parameters)
            elif parameters is None:
                cursor.execute(operation)
            else:
                cursor.execute(operation, parameters)
            rows = cursor.fetchall() if cursor.description else []
            outcome = (cursor.description, cursor.rowcount, cursor.lastrowid, rows)
        finally:
            cursor.close()
    if commit:
        connection.commit()
    return outcome


async def _at_once() -> None:
    return None


def _deferrable(operation: str) -> bool:
    """A statement whose results are not read: it can wait for the commit."""
    head = operation.lstrip()[:6].upper()
    return head in ("INSERT", "UPDATE", "DELETE") and "RETURNING" not in operation.upper()


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's aiosqlite connection, its statements sent in as few trips as they allow.
    `batched` (set by `db.engine.statements`): statements whose results are not read wait in
    `_waiting` for the commit, or for the next statement that returns something."""

    __slots__ = ("_waiting", "batched")

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.batched = False
        self._waiting: list[_Statement] = []

    def trip(self, statement: _Statement | None, commit: bool = False) -> _Outcome:
        """Run what waits, then `statement`, then the commit if asked: one trip."""
        if statement is not None and self.batched and _deferrable(statement[0]):
            self._waiting.append(statement)
            # SQLAlchemy's async execution expects its driver to have awaited: an await that
            # completes at once (the event loop does not come round for it).
            await_(_at_once())
            return _NOTHING
        batch, self._waiting = [*self._waiting, *([statement] if statement else [])], []
        if not batch and not commit:
            return _NOTHING
        try:
            outcome: _Outcome = await_(self._go(batch, commit))
        except Exception as error:
            self._handle_exception(error)
        return outcome

    async def _go(self, batch: list[_Statement], commit: bool) -> _Outcome:
        connection = self._connection
        async with self._execute_mutex:
            outcome: _Outcome = await connection._execute(_run, connection._conn, batch, commit)
            return outcome

    def cursor(self, server_side: bool = False) -> Any:
        if server_side:
            # A streamed read runs on aiosqlite's own cursor: what waits goes first.
            self.trip(None)
        return super().cursor(server_side)

    def _open(self) -> bool:
        """SQLite holds a transaction open on this connection (a flag read, no trip)."""
        return bool(self._connection._connection) and self._connection._conn.in_transaction

    def commit(self) -> None:
        if self._waiting or self._open():
            self.trip(None, commit=True)

    def rollback(self) -> None:
        # What waits was never sent: nothing of it reached the database. With no transaction
        # open (after a commit, or reads alone), the pool's rollback on each return is skipped.
        self._waiting = []
        if self._open():
            super().rollback()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor whose statement, rows and closing make one trip to SQLite's thread (or wait
    for the commit, in a batched transaction)."""

    __slots__ = ("_outcome", "_size")

    def __init__(self, adapt_connection: OneTripConnection) -> None:
        # No aiosqlite cursor is opened ahead of the statement: `_run` opens and closes its own.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._rows = deque()
        self._outcome = _NOTHING
        self._size = 1

    @property
    def description(self) -> Any:
        return self._outcome[0]

    @property
    def rowcount(self) -> int:
        return self._outcome[1]

    @property
    def lastrowid(self) -> Any:
        return self._outcome[2]

    @property
    def arraysize(self) -> int:
        return self._size

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._size = value

    def close(self) -> None:
        self._rows.clear()

    async def _async_soft_close(self) -> None:
        return None  # nothing stays open on SQLite's side

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        self._take(self._trip((operation, parameters, False)))

    def executemany(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        self._take(self._trip((operation, seq_of_parameters, True)))

    def _trip(self, statement: _Statement) -> _Outcome:
        connection = self._adapt_connection
        assert isinstance(connection, OneTripConnection)
        return connection.trip(statement)

    def _take(self, outcome: _Outcome) -> None:
        self._outcome = outcome
        self._rows = deque(outcome[3])


OneTripConnection._cursor_cls = OneTripCursor  # type: ignore[assignment]


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        # SQLAlchemy's connect, kept whole (it opens aiosqlite's connection and its thread);
        # the adapter it wraps that in is replaced by ours.
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


def one_trip_dbapi() -> OneTripDBAPI:
    """What `db.engine.create_engine` gives SQLAlchemy's aiosqlite dialect as its driver."""
    return OneTripDBAPI(aiosqlite, sqlite3)
