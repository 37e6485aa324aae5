"""Back up production, then promote the testing artifact."""

from .client import post

gate = post("/v1/drivers/odoo/prod-backup-gate", {"context": "opw"})
inputs = post("/v1/drivers/odoo/prod-promotion-inputs", {"context": "opw"})
post("/v1/drivers/odoo/prod-promotion-run",
     {"context": "opw", "backup_record_id": gate["result"]["backup_record_id"], **inputs["result"]})
