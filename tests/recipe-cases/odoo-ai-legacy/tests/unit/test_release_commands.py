from tools.platform import commands_release


def test_has_ship():
    assert callable(commands_release.ship)
