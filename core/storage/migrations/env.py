"""Alembic environment: runs on the connection Warroom hands it."""

from alembic import context
from sqlmodel import SQLModel
from warroom.core.storage import tables  # noqa: F401  (registers the tables)

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=SQLModel.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
