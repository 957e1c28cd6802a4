"""Loading policy data: the provider catalog, the policy packs, the tag vocabulary and user configuration."""
