{"name": "OPW stock", "version": "18.0.1.0.0", "depends": ["stock"], "license": "LGPL-3"}
