#!/usr/bin/env bash
docker compose up -d
ssh build@host true
wget -qO- https://launchplane.example.invalid/health
