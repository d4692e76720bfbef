"""The read model and register: SQLAlchemy 2 models, the engine factory, Alembic migrations."""
