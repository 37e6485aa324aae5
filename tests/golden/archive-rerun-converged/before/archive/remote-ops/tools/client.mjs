#!/usr/bin/env node
// ARCHIVED on 2026-07-01 by handoff (was tools/client.mjs): not current authority.
// See archive/remote-ops/ARCHIVED.md for what replaced it.
// -*- coding: utf-8 -*-
console.log("dokploy");
