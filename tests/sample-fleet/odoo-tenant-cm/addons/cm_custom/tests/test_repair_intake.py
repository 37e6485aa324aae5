from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestRepairIntake(TransactionCase):
    def setUp(self):
        super().setUp()
        self.partner = self.env["res.partner"].create({"name": "Walk-in"})

    def test_states(self):
        intake = self.env["cm.repair.intake"].create({"partner_id": self.partner.id})
        self.assertEqual(intake.state, "new")
        intake.action_mark_diagnosed()
        self.assertEqual(intake.state, "diagnosed")
        intake.action_done()
        self.assertEqual(intake.state, "done")
