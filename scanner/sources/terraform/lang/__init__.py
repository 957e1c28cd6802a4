"""Terraform's language: values, type conversions, the expression evaluator and its built-in functions; unknown values carry their reason."""
