"""The agents' web UI and the intake API. Thin: lists come from the database, every action goes
through the complaint's workflow."""
