def pull(args):
    """Pull the shared database and restore it locally."""
    return args
