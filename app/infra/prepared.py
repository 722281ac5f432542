"""Core statements run straight on the DBAPI cursor, for the few paths where SQLAlchemy's per-execution or
per-row work costs more than the database does: the code page's snapshot query, the bulk writes of a
recolouring.

A statement is compiled once per engine by SQLAlchemy for that database, and its values go through
SQLAlchemy's own bind and result processors, so what is written and read is exactly what a Core execution
writes and reads. What this skips: Connection-level events and echo logging (the app registers none) and
the wrapping of driver errors in sqlalchemy.exc.
"""

import weakref
from dataclasses import dataclass
from operator import itemgetter

_compiled = weakref.WeakKeyDictionary()  # dialect -> {id(statement): (statement, Prepared)}


@dataclass(frozen=True)
class Prepared:
    """A statement compiled for one database: its SQL, how to order its parameters and convert values."""

    sql: str
    positional: bool
    names: tuple  # parameter names in the order the SQL takes them (positional paramstyles)
    fixed: dict  # values the statement itself carries (`.values(column=None)`)
    binds: tuple  # (name, bind processor) for the parameters that have one
    results: tuple  # one result processor (or None) per selected column

    def parameters(self, values: dict):
        """One execution's parameters in the form the driver takes."""
        if self.fixed or self.binds:
            values = {**self.fixed, **values}
            for name, process in self.binds:
                values[name] = process(values[name])
        return tuple([values[name] for name in self.names]) if self.positional else values

    def many(self, rows: list[dict]) -> list:
        """Many executions' parameters. Bind processors are pure (a date to its text, say) and bulk rows
        repeat their values (today, now), so each distinct value is converted once."""
        if not self.positional or self.fixed or len(self.names) < 2:
            return [self.parameters(row) for row in rows]
        get = itemgetter(*self.names)
        if not self.binds:
            return [get(row) for row in rows]
        converters = [(self.names.index(name), process, {}) for name, process in self.binds]
        converted = []
        for row in rows:
            values = list(get(row))
            for index, process, seen in converters:
                value = values[index]
                try:
                    values[index] = seen[value]
                except KeyError:
                    values[index] = seen[value] = process(value)
                except TypeError:  # not hashable (a JSON document): converted each time
                    values[index] = process(value)
            converted.append(values)
        return converted

    def row(self, row: tuple) -> tuple:
        """A fetched row with SQLAlchemy's result processing applied."""
        return tuple([value if process is None else process(value) for process, value in zip(self.results, row)])


def prepare(statement, dialect) -> Prepared:
    """`statement` compiled for `dialect`, built once per (dialect, statement)."""
    by_statement = _compiled.get(dialect)
    if by_statement is None:
        by_statement = _compiled[dialect] = {}
    found = by_statement.get(id(statement))
    if found is not None:
        return found[1]
    compiled = statement.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ())
    fixed = {
        name: bind.effective_value
        for name, bind in compiled.binds.items()
        if not bind.required and (name in names or not compiled.positional)
    }
    binds = tuple(
        (name, process)
        for name, process in (
            (name, bind.type.dialect_impl(dialect).bind_processor(dialect)) for name, bind in compiled.binds.items()
        )
        if process is not None
    )
    columns = getattr(statement, "selected_columns", ())
    results = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns)
    prepared = Prepared(compiled.string, compiled.positional, names, fixed, binds, results)
    by_statement[id(statement)] = (statement, prepared)  # the statement is kept, so its id stays its own
    return prepared


def fetch_one(engine, statement, values: dict):
    """The first row of a SELECT (None if none), on a pooled DBAPI connection checked out for it alone."""
    prepared = prepare(statement, engine.dialect)
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(prepared.sql, prepared.parameters(values))
            row = cursor.fetchone()
        finally:
            cursor.close()
    finally:
        connection.close()
    return None if row is None else prepared.row(row)


def execute_many(connection, statement, rows: list[dict]) -> None:
    """An INSERT or UPDATE once per row, in the transaction of `connection` (a SQLAlchemy Connection)."""
    if not rows:
        return
    prepared = prepare(statement, connection.dialect)
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(prepared.sql, prepared.many(rows))
    finally:
        cursor.close()
