"""Prints a GitHub Actions OIDC token whose audience is Launchplane."""
import json
import os
import urllib.request

url = os.environ["ACTIONS_ID_TOKEN_REQUEST_URL"] + "&audience=" + os.environ["LAUNCHPLANE_URL"]
req = urllib.request.Request(url, headers={"Authorization": "bearer " + os.environ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]})
with urllib.request.urlopen(req) as resp:
    print(json.load(resp)["value"])
