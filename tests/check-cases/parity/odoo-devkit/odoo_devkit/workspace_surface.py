HELP = "- Launchplane owns shared/production live mutations, restore, and deploy.\n"
