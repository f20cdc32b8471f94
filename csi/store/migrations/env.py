"""Alembic environment for the csi store: migrations run on the connection handed in by
:func:`csi.store.engine.migrate` (``config.attributes["connection"]``); no ini file needed."""

from alembic import context

from csi.store.schema import metadata


def run_migrations() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if getattr(context, "config", None) is not None:  # executed by Alembic (not on a plain import)
    run_migrations()
