"""Terraform's own JSON: plans (terraform show -json) and state files, mapped back to file:line when the .tf files are beside them."""
