"""Tooling of the legacy monorepo."""
