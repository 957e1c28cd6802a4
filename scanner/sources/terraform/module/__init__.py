"""Modules: the folders of a project, module calls and their sources, variables and tfvars, and the instances count/for_each expand to."""
