"""Hostile and broken input (issue 9): a clear error for each, nothing lost, nothing executed, nothing leaked."""
