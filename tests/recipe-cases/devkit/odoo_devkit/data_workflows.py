"""Local data workflows: restore a production snapshot into the local stack."""


def restore_prod_snapshot(path: str) -> str:
    return f"restore production data from {path} into the local database"
