# -*- coding: utf-8 -*-
{
    "name": "CM Custom",
    "version": "18.0.1.2.0",
    "summary": "Repair intake and sales customisations for the CM tenant",
    "author": "CM",
    "website": "https://cm.example.invalid",
    "category": "Services",
    "license": "LGPL-3",
    "depends": ["base", "mail", "sale_management", "stock"],
    "data": [],
    "installable": True,
    "application": False,
}
