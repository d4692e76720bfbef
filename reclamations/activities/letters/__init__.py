"""Letters to complainants: French templates, rendering, and delivery by email or post."""
