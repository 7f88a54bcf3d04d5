"""Health checks, verification, comparison and repair of the stored records."""

__version__ = "1.0.0"  # the version reported by /api/health
