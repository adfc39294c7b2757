"""Import stacks the tests look for in a process."""

#: the server's own packages: a client-only install must run without any of them
SERVER_STACK = {"fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg", "argon2", "pydantic_settings"}
