from odoo import fields, models


class RepairOrder(models.Model):
    _inherit = "repair.order"

    intake_channel = fields.Selection([("store", "Store"), ("web", "Web")], default="store")
