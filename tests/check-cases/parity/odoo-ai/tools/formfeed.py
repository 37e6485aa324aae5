CONFIG = 1target_id = make_target()
