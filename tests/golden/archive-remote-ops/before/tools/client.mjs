#!/usr/bin/env node
// -*- coding: utf-8 -*-
console.log("dokploy");
