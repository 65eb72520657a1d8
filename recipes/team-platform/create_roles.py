"""Create the roles the platform's servers sign in with: each server has a role of its own.

Safe to run again: it creates a missing role and sets each role's password from .pgpass. A role without a line
in .pgpass gets a new random password there (the file is readable by you only), where PostgreSQL's clients,
Prefect and MLflow read it. The server is sent only a SCRAM verifier of each password, never the password
itself, so no password text can reach its log. Roles live outside the databases: a database dump does not
hold them, so a restore runs this script again.
"""
import os
import secrets
from pathlib import Path

import psycopg
from psycopg import sql

ROLES = ["prefect", "mlflow"]
PGPASS = Path(os.environ["PGPASSFILE"])


def password_of(role: str) -> str:
    prefix = f"127.0.0.1:*:*:{role}:"
    for line in PGPASS.read_text().splitlines():
        if line.startswith(prefix):
            return line[len(prefix):]
    password = secrets.token_hex(16)
    with PGPASS.open("a") as f:
        f.write(prefix + password + "\n")
    return password


with psycopg.connect(dbname="postgres", autocommit=True) as conn:
    for role in ROLES:
        verifier = conn.pgconn.encrypt_password(
            password_of(role).encode(), role.encode(), b"scram-sha-256").decode()
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(verifier)))
        print(f"role {role}: {'exists' if exists else 'created'}, its password in {PGPASS.name}")
