"""The in-loop SQLite dialect's statements, compiled once and run straight on sqlite3.

Through SQLAlchemy's Connection, every execution of a Core statement pays for its cache key, a new execution
context, its parameters sorted through that context and a result built around the cursor: about 20 µs here,
three times what sqlite3 itself takes for the order path's statements (measured with py-spy: 36% of the
order path's CPU). The repositories build their statements once and run them many times, so each is
compiled once instead, by SQLAlchemy, for this dialect and the parameter names it is run with. What is left
per execution is what the compiled statement asks for (`construct_params`, its types' bind and result
processors), the sqlite3 call, and a named tuple per row.

Only a statement that needs nothing more of SQLAlchemy's execution is prepared: one set of parameters, or
sets of the same names for a write without RETURNING; no expanding (IN) or literal-rendered parameter; no
column default to compute (an INSERT or UPDATE leaving out a column with a Python-side default); result
columns that are named as a tuple's fields can be. Every other statement, and every statement on PostgreSQL,
runs through SQLAlchemy. A driver error is raised as SQLAlchemy raises it, wrapped in its exception classes
(IntegrityError, OperationalError for a busy database, which storage.transaction waits out).
"""

import keyword
import sqlite3
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.exc import DBAPIError, MultipleResultsFound, NoResultFound
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, UpdateBase
from sqlalchemy.sql.selectable import ExecutableReturnsRows
from sqlalchemy.types import TypeEngine

Processor = Callable[[Any], Any] | None
Column = tuple[str, TypeEngine[Any]]


class PreparedResult:
    """A prepared statement's rows, read as the repositories read SQLAlchemy's results (storage.transaction's
    Result): by iteration, the one-row and scalar accessors, and `rowcount` for a write."""

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def one_or_none(self) -> Any:
        if len(self._rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when one or none was required")
        return self._rows[0] if self._rows else None

    def one(self) -> Any:
        row = self.one_or_none()
        if row is None:
            raise NoResultFound("No row was found when one was required")
        return row

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        return self.one()[0]


class PreparedStatement:
    def __init__(
        self,
        compiled: SQLCompiler,
        binds: Sequence[tuple[str, Processor]],
        columns: Sequence[Column],
        dialect: Dialect,
    ) -> None:
        self._compiled = compiled
        self._sql = compiled.string
        self._binds = tuple(binds)
        # A row is a named tuple, as SQLAlchemy's rows are: read by column name or position.
        self._make_row: Callable[[Iterable[Any]], Any] | None = (
            namedtuple("Row", [name for name, _ in columns])._make if columns else None  # type: ignore[attr-defined]
        )
        self._results: tuple[Processor, ...] = tuple(
            kind.dialect_impl(dialect).result_processor(dialect, None) for _, kind in columns
        )

    def run(
        self, connection: sqlite3.Connection, params: Mapping[str, Any] | None, extracted: Sequence[Any]
    ) -> PreparedResult:
        """`extracted`: the bound values the statement being run carries (SQLAlchemy's cache key's), for a
        statement built anew with values of its own in the structure this one was compiled from."""
        arguments = self._arguments(params, extracted)
        make = self._make_row
        try:
            cursor = connection.execute(self._sql, arguments)
            raw = cursor.fetchall() if make is not None else []
        except sqlite3.Error as error:
            raise DBAPIError.instance(self._sql, arguments, error, sqlite3.Error) from error
        if make is None:
            return PreparedResult([], cursor.rowcount)
        if not any(self._results):
            return PreparedResult([make(row) for row in raw], cursor.rowcount)
        processors = self._results
        rows = [
            make([value if p is None else p(value) for p, value in zip(processors, row, strict=True)])
            for row in raw
        ]
        return PreparedResult(rows, cursor.rowcount)

    def run_many(
        self, connection: sqlite3.Connection, params: Sequence[Mapping[str, Any]], extracted: Sequence[Any]
    ) -> PreparedResult:
        """A write for each set of parameters, in one executemany, as SQLAlchemy runs many sets."""
        arguments = [self._arguments(one, extracted) for one in params]
        try:
            cursor = connection.executemany(self._sql, arguments)
        except sqlite3.Error as error:
            raise DBAPIError.instance(self._sql, arguments, error, sqlite3.Error, ismulti=True) from error
        return PreparedResult([], cursor.rowcount)

    @property
    def returns_rows(self) -> bool:
        return self._make_row is not None

    def _arguments(self, params: Mapping[str, Any] | None, extracted: Sequence[Any]) -> tuple[Any, ...]:
        values = self._compiled.construct_params(params, extracted_parameters=extracted)
        return tuple(
            values[name] if process is None else process(values[name]) for name, process in self._binds
        )


Run = Callable[[sqlite3.Connection], PreparedResult]


def _many(params: object) -> list[Mapping[str, Any]] | None:
    """Sets of parameters for one write each, all of the same names; None for anything else."""
    if not isinstance(params, list | tuple) or not params:
        return None
    if not all(isinstance(one, Mapping) for one in params):
        return None
    names = set(params[0])
    return list(params) if all(set(one) == names for one in params) else None


def _columns(statement: ClauseElement) -> list[Column] | None:
    """The result columns' names and types (none for a write without RETURNING); None where they are unknown
    (text) or would not make a named tuple as they are named."""
    if not isinstance(statement, ExecutableReturnsRows | UpdateBase):
        return None
    columns = [(key, column.type) for key, column in statement.exported_columns.items()]
    names = [name for name, _ in columns]
    if len(set(names)) != len(names) or not all(_field_name(name) for name in names):
        return None
    return columns


def _field_name(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_")


def _binds(compiled: SQLCompiler, dialect: Dialect) -> list[tuple[str, Processor]] | None:
    """The parameters in the order SQLite takes them, each with its type's bind processor."""
    escaped = compiled.escaped_bind_names
    types = {escaped.get(name, name): bind.type for bind, name in compiled.bind_names.items()}
    names = compiled.positiontup or []
    if not all(name in types for name in names):
        return None
    return [(name, types[name].dialect_impl(dialect).bind_processor(dialect)) for name in names]


class PreparedStatements:
    """Statements prepared for one dialect, found as SQLAlchemy finds its compiled statements: by the
    statement's structure (its cache key, memoized on the statement) and the names of its parameters. A
    statement built anew for each call finds the one prepared for the first of its shape, as in SQLAlchemy's
    own cache; the values written into it are taken from the statement at hand."""

    def __init__(self, dialect: Dialect, max_entries: int = 1000) -> None:
        self._dialect = dialect
        self._max_entries = max_entries
        self._prepared: dict[tuple[Any, frozenset[str]], PreparedStatement | None] = {}

    def bind(self, statement: object, params: object) -> Run | None:
        """The statement prepared, with these parameters (one set, or a list of sets of the same names for a
        write), ready to run; None where SQLAlchemy must run it."""
        if not isinstance(statement, ClauseElement):
            return None
        many = _many(params)
        single: Mapping[str, Any] | None = None
        if many is None:
            if params is not None and not isinstance(params, Mapping):
                return None
            single = params
        cache_key = statement._generate_cache_key()
        if cache_key is None:
            return None  # a construct that SQLAlchemy does not cache either
        names = frozenset(many[0] if many else single or ())
        shape = (cache_key.key, names)
        if shape not in self._prepared:
            if len(self._prepared) >= self._max_entries:
                self._prepared.clear()  # statements come in a few hundred shapes: rare, and cheap to redo
            self._prepared[shape] = self._prepare(statement, names, cache_key)
        found = self._prepared[shape]
        if found is None:
            return None
        if many is None:
            return partial(found.run, params=single, extracted=cache_key.bindparams)
        if found.returns_rows:
            return None  # RETURNING from many sets: SQLAlchemy's insertmanyvalues
        return partial(found.run_many, params=many, extracted=cache_key.bindparams)

    def _prepare(
        self, statement: ClauseElement, names: frozenset[str], cache_key: Any
    ) -> PreparedStatement | None:
        columns = _columns(statement)
        if columns is None:
            return None
        compiled = statement.compile(dialect=self._dialect, column_keys=sorted(names), cache_key=cache_key)
        if not isinstance(compiled, SQLCompiler) or not compiled.positional:
            return None
        if compiled.insert_prefetch or compiled.update_prefetch:
            return None  # a column default to compute: SQLAlchemy's execution does that
        if compiled.post_compile_params or compiled.literal_execute_params:
            return None  # rendered anew on each execution
        binds = _binds(compiled, self._dialect)
        if binds is None:
            return None
        return PreparedStatement(compiled, binds, columns, self._dialect)
