from tools.platform.dokploy import Dokploy


def test_env(monkeypatch):
    monkeypatch.setenv("DOKPLOY_HOST", "https://dokploy.example.invalid")
    monkeypatch.setenv("DOKPLOY_TOKEN", "changeme")
    assert Dokploy().host.endswith(".invalid")
