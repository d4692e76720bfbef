"""Réclamations: an insurer's customer complaints, each a durable Temporal workflow that keeps
the published promises on time (docs/rules.md)."""
