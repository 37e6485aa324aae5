{"name": "AI Helper", "version": "18.0.0.1.0", "depends": ["mail"], "license": "LGPL-3"}
