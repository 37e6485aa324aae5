"""Developer and operations tooling for odoo-ai."""
