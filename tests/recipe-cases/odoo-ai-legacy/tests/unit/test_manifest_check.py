from tools import manifest_check


def test_main_runs():
    assert manifest_check.main() in (0, 1)
