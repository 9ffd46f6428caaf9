"""FastAPI modular-monolith starter kit."""
