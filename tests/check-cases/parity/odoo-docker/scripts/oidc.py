import os
import urllib.request

URL = os.environ["ACTIONS_ID_TOKEN_REQUEST_URL"]
TOKEN = os.environ.get("ACTIONS_ID_TOKEN_REQUEST_TOKENS", "")
# ACTIONS_ID_TOKEN_REQUEST_TOKEN is read above
LAUNCHPLANE_RUNTIME_IDENTITY_JSON = urllib.request.urlopen(URL).read()
body = urllib.request.urlopen("https://launchplane.example.invalid/v1/evidence").read()
