{
    "name": "CM repairs",
    "version": "18.0.1.0.0",
    "depends": ["repair"],
    "data": [],
    "license": "LGPL-3",
}
