{'name': 'CM Sale', 'version': '19.0.1.0.0', 'depends': ['sale'], 'license': 'LGPL-3'}
