{"name": "CM sale", "version": "18.0.1.0.0", "depends": ["sale"], "license": "LGPL-3"}
