"""Roll production back to an earlier artifact."""

import sys

from ops.launchplane.client import post

post("/v1/drivers/odoo/prod-rollback",
     {"context": "opw", "artifact_id": sys.argv[1], "reason": sys.argv[2]})
