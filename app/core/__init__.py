"""The shared platform. It never imports a feature module (enforced by import-linter)."""
