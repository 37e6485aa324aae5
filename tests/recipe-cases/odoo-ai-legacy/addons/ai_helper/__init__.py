"""AI helper addon."""
