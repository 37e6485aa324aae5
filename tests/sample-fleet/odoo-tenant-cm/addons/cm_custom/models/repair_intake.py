from odoo import api, fields, models


class RepairIntake(models.Model):
    _name = "cm.repair.intake"
    _description = "Repair intake"
    _inherit = ["mail.thread"]
    _order = "received_on desc, id desc"

    name = fields.Char(required=True, copy=False, default="New")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    product_id = fields.Many2one("product.product", string="Device")
    serial = fields.Char(string="Serial number", tracking=True)
    received_on = fields.Date(default=fields.Date.context_today)
    state = fields.Selection(
        [("new", "New"), ("diagnosed", "Diagnosed"), ("done", "Done")],
        default="new",
        tracking=True,
    )
    sale_order_id = fields.Many2one("sale.order", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        sequence = self.env["ir.sequence"]
        for vals in vals_list:
            if vals.get("name", "New") == "New":
                vals["name"] = sequence.next_by_code("cm.repair.intake") or "New"
        return super().create(vals_list)

    def action_mark_diagnosed(self):
        self.write({"state": "diagnosed"})

    def action_done(self):
        self.write({"state": "done"})
