# -*- coding: utf-8 -*-
{
    "name": "AI Assistant",
    "version": "18.0.0.4.0",
    "summary": "Drafts replies to customer messages from the chatter",
    "author": "CM",
    "category": "Productivity",
    "license": "LGPL-3",
    "depends": ["mail"],
    "data": [],
    "installable": True,
}
