"""Local developer tooling for the Odoo tenants."""
