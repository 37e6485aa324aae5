from . import repair_intake
