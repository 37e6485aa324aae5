from . import test_repair_intake
