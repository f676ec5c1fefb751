"""What the benchmarks share."""

import os
import sys
from urllib.parse import urlsplit, urlunsplit


def fresh_database(name: str) -> str:
    """Drop and create database `name` beside the one DATABASE_URL names; return its URL."""
    import psycopg

    base = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"))
    if not base.scheme.startswith("postgres"):
        sys.exit("this benchmark needs PostgreSQL: run it through `make bench`")
    with psycopg.connect(urlunsplit(base._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return urlunsplit(base._replace(path=f"/{name}"))
