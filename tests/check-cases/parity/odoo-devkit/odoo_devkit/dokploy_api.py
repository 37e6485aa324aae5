"""Local-only Dokploy helper."""
# production deploy of a local stack: allowed module
target_id = "x"
