"""ComplaintWorkflow and its message types. Kept import-light: the sandbox re-imports it."""
