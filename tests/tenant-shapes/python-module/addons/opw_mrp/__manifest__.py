{"name": "OPW manufacturing", "version": "18.0.1.0.0", "depends": ["mrp"], "license": "LGPL-3"}
