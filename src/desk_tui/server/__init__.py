"""The reference booking API (FastAPI + SQLAlchemy). Never imported by the client side."""
