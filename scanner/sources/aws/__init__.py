"""Live inventories of AWS and AWS-compatible clouds (the aws-eusc partition, Outscale) through boto3.

The collector never creates its own boto3 session: the CLI makes one and
hands it in, so tests can hand one that talks to a local moto server. boto3
is imported only by the modules that call it, never by ``sovscan --version``.

- ``arn``: what an ARN says (partition, service, region, account, type);
- ``regions``: which regions of the partition are enabled;
- ``services``: one small function per AWS service, listing its resources in bulk;
- ``clients``: boto3 clients per account and region, adaptive retries, made under a lock;
- ``collector``: one account and one region at a time, with errors kept per call;
- ``outscale``: the same through Outscale's EC2- and S3-compatible endpoints;
- ``s3endpoints``, ``s3compat``: the buckets of any S3-compatible endpoint, placed by the catalog's ``detect.endpoints``.
"""
