{"name": "CM web", "version": "18.0.1.0.0", "depends": ["website"], "license": "LGPL-3"}
