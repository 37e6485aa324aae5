import json
from unittest import mock

import pytest

from tools.platform.dokploy import DokployClient, DokployError


class FakeResponse:
    def __init__(self, body: bytes):
        self.body = body

    def read(self) -> bytes:
        return self.body

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_deploy_compose_posts_with_api_key():
    client = DokployClient("https://dokploy.example.invalid", "changeme")
    with mock.patch("urllib.request.urlopen", return_value=FakeResponse(b"{}")) as urlopen:
        client.deploy_compose("compose-1")
    request = urlopen.call_args.args[0]
    assert request.full_url == "https://dokploy.example.invalid/api/compose.deploy"
    assert request.get_header("X-api-key") == "changeme"
    assert json.loads(request.data) == {"composeId": "compose-1"}


def test_update_env_is_sorted():
    client = DokployClient("https://dokploy.example.invalid", "changeme")
    with mock.patch("urllib.request.urlopen", return_value=FakeResponse(b"")) as urlopen:
        client.update_compose_env("c", {"B": "2", "A": "1"})
    assert json.loads(urlopen.call_args.args[0].data)["env"] == "A=1\nB=2"


def test_network_error_is_wrapped():
    client = DokployClient("https://dokploy.example.invalid", "changeme")
    with mock.patch("urllib.request.urlopen", side_effect=OSError("refused")):
        with pytest.raises(DokployError, match="compose.redeploy"):
            client.redeploy_compose("c")
