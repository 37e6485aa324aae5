{"name": "CM point of sale", "version": "18.0.1.0.0", "depends": ["point_of_sale"], "license": "LGPL-3"}
