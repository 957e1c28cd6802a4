"""The Terraform source, in four layers: syntax (text → tree) → lang (expressions → values) → module (folders, calls, instances) → extract (instances → Resource)."""
