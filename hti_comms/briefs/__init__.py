"""Talking points, national summaries and result briefs (email, PDF) built from the ranking."""
