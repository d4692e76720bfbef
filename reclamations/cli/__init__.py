"""The `complaints` command: one sub-command per job, each importing only what it needs."""
