release_tuple_id = "fixture"
