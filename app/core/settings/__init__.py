"""Settings of each platform service, combined into AppConfig (app.core.config).

Kept apart from the services so that reading settings imports nothing else."""
