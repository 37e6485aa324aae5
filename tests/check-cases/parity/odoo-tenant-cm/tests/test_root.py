target_id = "fixture at the root tests dir"
