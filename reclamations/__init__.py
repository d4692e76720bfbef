"""Réclamations: an insurer's customer complaints, each a durable Temporal workflow that keeps
the published promises on time (docs/rules.md)."""

from importlib.metadata import version

# The installed distribution's, so that pyproject.toml holds the one version (CHANGELOG.md).
__version__ = version("reclamations")
