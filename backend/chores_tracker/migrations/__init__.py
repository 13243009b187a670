"""The migration tool: the only code that changes the schema (`chores-tracker db ...` and backend/alembic/env.py).

The running app needs none of it but the revisions reader, which readiness uses.
"""
