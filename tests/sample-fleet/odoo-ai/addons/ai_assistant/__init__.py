# Models are added in a later release.
