"""Views of the commands that are not a scan (catalog, rules, explain) and the generator of docs/rules.md."""
