"""The baseline a user would build instead: the same DRF client endpoints over the Django ORM
(SQLite or PostgreSQL), optionally with django-redis as a cache-aside in front. Configured by
environment variables (see settings.py); served by gunicorn in bench/api_bench.py."""
