"""Periodic inventory audits: collect live clouds, save snapshots, compare over time, split and merge.

- ``audit``: accounts × regions of AWS (or one Outscale region) in a bounded thread pool;
- ``shard``: which accounts one job of N audits (a stable hash of the account id);
- ``snapshot``: the normalised inventory saved with ``--save`` and read back by ``sovscan scan``;
- ``diff``: new and fixed findings, and resources that moved, between two JSON reports;
- ``merge``: JSON reports (or snapshots) of several jobs combined into one;
- ``compare``: a Terraform scan against an inventory snapshot (declared vs deployed).
"""
