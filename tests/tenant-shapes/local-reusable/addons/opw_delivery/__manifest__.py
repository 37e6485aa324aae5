{
    "name": "OPW Delivery",
    "version": "19.0.1.0.0",
    "depends": ["stock"],
    "license": "LGPL-3",
}
