#!/usr/bin/env bash
# restore a production dump into the local stack
curl -fsS "$LAUNCHPLANE/v1/evidence" > evidence.json  # from launchplane
