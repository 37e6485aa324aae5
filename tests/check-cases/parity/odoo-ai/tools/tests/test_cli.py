def test_ship():
    target_id = "compose-1"
    assert run(target_id=target_id, env="prod deploy")
