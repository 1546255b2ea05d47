"""Alembic migrations for the dataset store; run by ``Store.open`` (upgrade to head).

No alembic.ini is needed: :mod:`evaluation.store.engine` builds the configuration in code.
"""
