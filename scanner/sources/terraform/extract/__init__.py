"""From evaluated instances to Resource records: placement (provider, region, hints), tags, data copies, backends, and the provider knowledge of policies/terraform.yml."""
