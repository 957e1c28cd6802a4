"""Generate realistic Terraform monorepos for benchmarking, deterministically.

The shape follows what platform teams of a ministry keep in one repository:

    modules/<kind>/           shared local modules (network, storage, database,
                              compute, Azure app, Google data, Outscale VMs,
                              Scaleway app), each with variables, main, outputs
    apps/<app>/               an application's own module, called by thin roots
    live/<env>/<app>/         root modules: versions, providers (aliases,
                              default_tags), variables, locals, main, outputs,
                              terraform.tfvars

About half the applications are "fat roots" (resources written in the root
module), half are thin roots calling their own module in ``apps/``. Resources
use count, for_each, dynamic blocks, conditionals, templates, jsonencode and
heredocs; every provider sovscan knows from the issue is present (aws,
azurerm, google incl. the S3NS universe, outscale, scaleway).

The generator counts the resource *instances* it writes (count and for_each
expanded), which is what ``sovscan scan`` reports as resources; it scales the
number of applications until the target is reached. Same size and seed, same
bytes.

    python benchmarks/generate.py 10k            # -> benchmarks/corpus/10k
    python benchmarks/generate.py 1k 10k 50k --seed 8
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
SIZES = {"1k": 1_000, "10k": 10_000, "50k": 50_000}
ENVS_BY_SIZE = {"1k": ("dev", "staging", "prod"), "10k": ("dev", "staging", "preprod", "prod"), "50k": ("dev", "test", "staging", "preprod", "prod")}

CLASSIFICATIONS = ("public", "internal", "internal", "personal", "personal", "sensitive", "health", "restricted")
AWS_REGIONS = ("eu-west-3", "eu-west-3", "eu-west-1", "eu-central-1", "us-east-1")
AZURE_LOCATIONS = ("France Central", "francecentral", "West Europe", "northeurope")
GOOGLE_REGIONS = ("europe-west9", "europe-west1", "us-central1")
OUTSCALE_REGIONS = ("eu-west-2", "cloudgouv-eu-west-1")
SCALEWAY_ZONES = ("fr-par-1", "fr-par-2", "nl-ams-1")
STACKS = ("aws", "aws", "aws", "azure", "google", "outscale", "scaleway", "mixed")
WORDS = ("payroll", "pension", "health", "tax", "census", "grants", "permits", "archives", "library", "schools",
         "courts", "police", "transport", "energy", "water", "housing", "culture", "sports", "defence", "budget",
         "customs", "election", "weather", "agri", "fishery", "forest", "tourism", "vaccine", "justice", "prison")


@dataclass
class Corpus:
    """Files to write (relative path -> text) and the resource instances they declare."""

    files: dict[str, str] = field(default_factory=dict)
    resources: int = 0
    roots: int = 0


# --------------------------------------------------------------------------- shared modules

COMMON_VARS = '''variable "name" {
  description = "Name prefix of every resource of this module"
  type        = string
  validation {
    condition     = length(var.name) > 2 && length(var.name) < 40
    error_message = "The name must be 3 to 39 characters long."
  }
}

variable "classification" {
  description = "Data classification of what this module stores"
  type        = string
  default     = "internal"
}

variable "tags" {
  description = "Tags added to every resource"
  type        = map(string)
  default     = {}
}
'''

MODULES: dict[str, dict[str, str]] = {
    "aws-network": {
        "variables.tf": COMMON_VARS + '''
variable "cidr" {
  type    = string
  default = "10.0.0.0/16"
}

variable "azs" {
  type    = list(string)
  default = ["a", "b", "c"]
}

variable "flow_logs" {
  type    = bool
  default = true
}
''',
        "main.tf": '''data "aws_region" "current" {}

locals {
  tags = merge(var.tags, { module = "aws-network", data_classification = var.classification })
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr
  enable_dns_hostnames = true
  tags                 = merge(local.tags, { Name = var.name })
}

resource "aws_subnet" "private" {
  count             = length(var.azs)
  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(var.cidr, 4, count.index)
  availability_zone = "${data.aws_region.current.name}${var.azs[count.index]}"
  tags              = merge(local.tags, { Name = "${var.name}-private-${var.azs[count.index]}", tier = "private" })
}

resource "aws_subnet" "public" {
  count                   = length(var.azs)
  vpc_id                  = aws_vpc.this.id
  cidr_block              = cidrsubnet(var.cidr, 4, count.index + 8)
  map_public_ip_on_launch = true
  tags                    = merge(local.tags, { Name = "${var.name}-public-${var.azs[count.index]}", tier = "public" })
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id
  tags   = local.tags
}

resource "aws_route_table_association" "private" {
  count          = length(var.azs)
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private.id
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
  tags   = local.tags
}

resource "aws_security_group" "default" {
  name   = "${var.name}-default"
  vpc_id = aws_vpc.this.id

  dynamic "ingress" {
    for_each = { https = 443, ssh = 22 }
    content {
      description = ingress.key
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = [var.cidr]
    }
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
  tags = local.tags
}

resource "aws_cloudwatch_log_group" "flow" {
  name              = "/vpc/${var.name}/flow"
  retention_in_days = var.flow_logs ? 90 : 1
  tags              = merge(local.tags, { data_classification = "internal" })
}

resource "aws_flow_log" "this" {
  vpc_id          = aws_vpc.this.id
  traffic_type    = "ALL"
  log_destination = aws_cloudwatch_log_group.flow.arn
  tags            = local.tags
}
''',
        "outputs.tf": '''output "vpc_id" {
  value = aws_vpc.this.id
}

output "private_subnet_ids" {
  value = aws_subnet.private[*].id
}

output "region" {
  value = data.aws_region.current.name
}
''',
    },
    "aws-storage": {
        "variables.tf": COMMON_VARS + '''
variable "buckets" {
  description = "Buckets to create, by short name"
  type = map(object({
    classification = optional(string)
    versioning     = optional(bool, true)
    expire_days    = optional(number, 365)
  }))
  default = {}
}
''',
        "main.tf": '''resource "aws_kms_key" "this" {
  description             = "Key of ${var.name}"
  deletion_window_in_days = 30
  enable_key_rotation     = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Root"
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
  tags = var.tags
}

resource "aws_s3_bucket" "this" {
  for_each = var.buckets
  bucket   = "${var.name}-${each.key}"
  tags = merge(var.tags, {
    Name                = "${var.name}-${each.key}"
    data_classification = coalesce(each.value.classification, var.classification)
  })
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = var.buckets
  bucket   = aws_s3_bucket.this[each.key].id
  versioning_configuration {
    status = each.value.versioning ? "Enabled" : "Suspended"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = var.buckets
  bucket   = aws_s3_bucket.this[each.key].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each                = var.buckets
  bucket                  = aws_s3_bucket.this[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
''',
        "outputs.tf": '''output "bucket_arns" {
  value = { for k, b in aws_s3_bucket.this : k => b.arn }
}

output "kms_key_arn" {
  value = aws_kms_key.this.arn
}
''',
    },
    "aws-database": {
        "variables.tf": COMMON_VARS + '''
variable "engine" {
  type    = string
  default = "postgres"
}

variable "instance_class" {
  type    = string
  default = "db.t3.medium"
}

variable "replica" {
  description = "Create a read replica"
  type        = bool
  default     = false
}

variable "subnet_ids" {
  type    = list(string)
  default = []
}
''',
        "main.tf": '''locals {
  tags = merge(var.tags, { data_classification = var.classification, module = "aws-database" })
}

resource "aws_db_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
  tags       = local.tags
}

resource "aws_security_group" "db" {
  name = "${var.name}-db"
  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
  tags = local.tags
}

resource "aws_db_parameter_group" "this" {
  name   = var.name
  family = "${var.engine}16"
  parameter {
    name  = "log_connections"
    value = "1"
  }
  tags = local.tags
}

resource "aws_db_instance" "main" {
  identifier             = var.name
  engine                 = var.engine
  instance_class         = var.instance_class
  allocated_storage      = 100
  storage_encrypted      = true
  db_subnet_group_name   = aws_db_subnet_group.this.name
  parameter_group_name   = aws_db_parameter_group.this.name
  vpc_security_group_ids = [aws_security_group.db.id]
  backup_retention_period = 14
  tags                   = local.tags
  lifecycle {
    ignore_changes = [password]
  }
}

resource "aws_db_instance" "replica" {
  count               = var.replica ? 1 : 0
  identifier          = "${var.name}-replica"
  replicate_source_db = aws_db_instance.main.identifier
  instance_class      = var.instance_class
  tags                = merge(local.tags, { role = "replica" })
}
''',
        "outputs.tf": '''output "endpoint" {
  value = aws_db_instance.main.endpoint
}
''',
    },
    "aws-compute": {
        "variables.tf": COMMON_VARS + '''
variable "instance_type" {
  type    = string
  default = "t3.small"
}

variable "desired" {
  type    = number
  default = 2
}

variable "environment_variables" {
  type    = map(string)
  default = {}
}
''',
        "main.tf": '''locals {
  tags = merge(var.tags, { data_classification = var.classification })
}

resource "aws_iam_role" "this" {
  name = "${var.name}-role"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = ["ec2.amazonaws.com", "lambda.amazonaws.com"] } }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "ssm" {
  role       = aws_iam_role.this.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "this" {
  name = var.name
  role = aws_iam_role.this.name
}

resource "aws_launch_template" "this" {
  name_prefix   = "${var.name}-"
  instance_type = var.instance_type
  image_id      = "ami-0123456789abcdef0"
  user_data = base64encode(<<-EOT
    #!/bin/bash
    echo "starting ${var.name}"
    systemctl enable --now app
  EOT
  )
  iam_instance_profile {
    name = aws_iam_instance_profile.this.name
  }
  tag_specifications {
    resource_type = "instance"
    tags          = local.tags
  }
  tags = local.tags
}

resource "aws_autoscaling_group" "this" {
  name             = var.name
  desired_capacity = var.desired
  min_size         = 1
  max_size         = var.desired * 2
  launch_template {
    id      = aws_launch_template.this.id
    version = "$Latest"
  }
}

resource "aws_lb" "this" {
  name               = substr(var.name, 0, 32)
  load_balancer_type = "application"
  internal           = true
  tags               = local.tags
}

resource "aws_lb_target_group" "this" {
  name     = substr("${var.name}-tg", 0, 32)
  port     = 8080
  protocol = "HTTP"
  health_check {
    path    = "/health"
    matcher = "200-299"
  }
  tags = local.tags
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }
}

resource "aws_cloudwatch_log_group" "app" {
  name              = "/app/${var.name}"
  retention_in_days = 30
  tags              = local.tags
}

resource "aws_lambda_function" "worker" {
  function_name = "${var.name}-worker"
  role          = aws_iam_role.this.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "worker.zip"
  environment {
    variables = merge(var.environment_variables, { LOG_LEVEL = "info" })
  }
  tags = local.tags
}
''',
        "outputs.tf": '''output "lb_arn" {
  value = aws_lb.this.arn
}

output "role_arn" {
  value = aws_iam_role.this.arn
}
''',
    },
    "azure-app": {
        "variables.tf": COMMON_VARS + '''
variable "location" {
  type = string
}

variable "containers" {
  type    = set(string)
  default = ["data"]
}

variable "sku" {
  type    = string
  default = "P1v3"
}
''',
        "main.tf": '''locals {
  tags  = merge(var.tags, { data_classification = var.classification })
  short = replace(lower(var.name), "-", "")
}

resource "azurerm_resource_group" "this" {
  name     = "rg-${var.name}"
  location = var.location
  tags     = local.tags
}

resource "azurerm_storage_account" "this" {
  name                     = substr("st${local.short}", 0, 24)
  resource_group_name      = azurerm_resource_group.this.name
  location                 = azurerm_resource_group.this.location
  account_tier             = "Standard"
  account_replication_type = "ZRS"
  min_tls_version          = "TLS1_2"
  tags                     = local.tags
}

resource "azurerm_storage_container" "this" {
  for_each              = var.containers
  name                  = each.value
  storage_account_id    = azurerm_storage_account.this.id
  container_access_type = "private"
}

resource "azurerm_key_vault" "this" {
  name                = substr("kv-${local.short}", 0, 24)
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  tenant_id           = "00000000-0000-0000-0000-000000000000"
  sku_name            = "premium"
  tags                = local.tags
}

resource "azurerm_postgresql_flexible_server" "this" {
  name                = "psql-${var.name}"
  resource_group_name = azurerm_resource_group.this.name
  location            = azurerm_resource_group.this.location
  version             = "16"
  sku_name            = "GP_Standard_D2s_v3"
  storage_mb          = 65536
  tags                = local.tags
}

resource "azurerm_service_plan" "this" {
  name                = "asp-${var.name}"
  resource_group_name = azurerm_resource_group.this.name
  location            = azurerm_resource_group.this.location
  os_type             = "Linux"
  sku_name            = var.sku
  tags                = local.tags
}

resource "azurerm_linux_web_app" "this" {
  name                = "app-${var.name}"
  resource_group_name = azurerm_resource_group.this.name
  location            = azurerm_service_plan.this.location
  service_plan_id     = azurerm_service_plan.this.id
  site_config {
    always_on = true
  }
  app_settings = {
    DATABASE_HOST = azurerm_postgresql_flexible_server.this.fqdn
  }
  tags = local.tags
}

resource "azurerm_log_analytics_workspace" "this" {
  name                = "log-${var.name}"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  retention_in_days   = 90
  tags                = merge(local.tags, { data_classification = "internal" })
}
''',
        "outputs.tf": '''output "web_app" {
  value = azurerm_linux_web_app.this.default_hostname
}
''',
    },
    "google-data": {
        "variables.tf": COMMON_VARS + '''
variable "project" {
  type = string
}

variable "region" {
  type = string
}

variable "datasets" {
  type    = list(string)
  default = []
}
''',
        "main.tf": '''locals {
  labels = { for k, v in merge(var.tags, { data_classification = var.classification }) : lower(k) => lower(v) }
}

resource "google_storage_bucket" "this" {
  name                        = "${var.project}-${var.name}"
  location                    = upper(var.region)
  uniform_bucket_level_access = true
  labels                      = local.labels
  lifecycle_rule {
    condition {
      age = 365
    }
    action {
      type = "Delete"
    }
  }
}

resource "google_bigquery_dataset" "this" {
  for_each   = toset(var.datasets)
  dataset_id = replace("${var.name}_${each.value}", "-", "_")
  location   = var.region
  labels     = local.labels
}

resource "google_sql_database_instance" "this" {
  name             = "${var.name}-sql"
  database_version = "POSTGRES_16"
  region           = var.region
  settings {
    tier        = "db-custom-2-7680"
    user_labels = local.labels
  }
}

resource "google_pubsub_topic" "events" {
  name   = "${var.name}-events"
  labels = local.labels
}

resource "google_service_account" "this" {
  account_id = substr(var.name, 0, 28)
}

resource "google_project_iam_member" "this" {
  for_each = toset(["roles/storage.objectAdmin", "roles/pubsub.publisher"])
  project  = var.project
  role     = each.value
  member   = "serviceAccount:${google_service_account.this.email}"
}
''',
        "outputs.tf": '''output "bucket" {
  value = google_storage_bucket.this.url
}
''',
    },
    "outscale-vm": {
        "variables.tf": COMMON_VARS + '''
variable "vm_count" {
  type    = number
  default = 2
}

variable "subregion" {
  type = string
}
''',
        "main.tf": '''resource "outscale_security_group" "this" {
  security_group_name = "${var.name}-sg"
  description         = "Security group of ${var.name}"
}

resource "outscale_keypair" "this" {
  keypair_name = var.name
}

resource "outscale_vm" "this" {
  count              = var.vm_count
  image_id           = "ami-abcdef12"
  vm_type            = "tinav6.c2r4p2"
  keypair_name       = outscale_keypair.this.keypair_name
  security_group_ids = [outscale_security_group.this.security_group_id]
  placement_subregion_name = var.subregion
  dynamic "tags" {
    for_each = merge(var.tags, { name = "${var.name}-${count.index}", data_classification = var.classification })
    content {
      key   = tags.key
      value = tags.value
    }
  }
}

resource "outscale_volume" "data" {
  count          = var.vm_count
  subregion_name = var.subregion
  size           = 100
  volume_type    = "gp2"
  tags {
    key   = "data_classification"
    value = var.classification
  }
  tags {
    key   = "name"
    value = "${var.name}-data-${count.index}"
  }
}

resource "outscale_volume_link" "data" {
  count       = var.vm_count
  device_name = "/dev/xvdb"
  volume_id   = outscale_volume.data[count.index].volume_id
  vm_id       = outscale_vm.this[count.index].vm_id
}
''',
        "outputs.tf": '''output "vm_ids" {
  value = outscale_vm.this[*].vm_id
}
''',
    },
    "scaleway-app": {
        "variables.tf": COMMON_VARS + '''
variable "zone" {
  type = string
}

variable "servers" {
  type    = number
  default = 1
}
''',
        "main.tf": '''locals {
  tag_list = [for k, v in merge(var.tags, { data_classification = var.classification }) : "${k}=${v}"]
}

resource "scaleway_vpc_private_network" "this" {
  name = "${var.name}-pn"
  tags = local.tag_list
}

resource "scaleway_instance_server" "this" {
  count = var.servers
  name  = "${var.name}-${count.index}"
  type  = "PRO2-S"
  image = "ubuntu_jammy"
  zone  = var.zone
  tags  = local.tag_list
}

resource "scaleway_rdb_instance" "this" {
  name      = "${var.name}-db"
  node_type = "DB-GP-XS"
  engine    = "PostgreSQL-16"
  region    = join("-", slice(split("-", var.zone), 0, 2))
  tags      = local.tag_list
}

resource "scaleway_object_bucket" "this" {
  name   = "${var.name}-objects"
  region = join("-", slice(split("-", var.zone), 0, 2))
  tags   = { for t in local.tag_list : split("=", t)[0] => split("=", t)[1] }
}
''',
        "outputs.tf": '''output "server_ids" {
  value = scaleway_instance_server.this[*].id
}
''',
    },
}


# Resource instances each module call creates, from the arguments the generator gives it.
def module_instances(kind: str, args: dict) -> int:
    if kind == "aws-network":
        return 6 + 3 * len(args.get("azs", ["a", "b", "c"]))
    if kind == "aws-storage":
        return 1 + 4 * len(args["buckets"])
    if kind == "aws-database":
        return 4 + (1 if args.get("replica") else 0)
    if kind == "aws-compute":
        return 10
    if kind == "azure-app":
        return 7 + len(args.get("containers", ["data"]))
    if kind == "google-data":
        return 6 + len(args.get("datasets", []))
    if kind == "outscale-vm":
        return 2 + 3 * args.get("vm_count", 2)
    if kind == "scaleway-app":
        return 3 + args.get("servers", 1)
    raise ValueError(kind)


# --------------------------------------------------------------------------- HCL writing helpers

def hcl(value, indent: int = 0) -> str:
    """A Python value as an HCL expression (strings quoted, maps as objects)."""
    pad = "  " * indent
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(hcl(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        width = max(len(_key(k)) for k in value)
        inner = "\n".join(f"{pad}  {_key(k).ljust(width)} = {hcl(v, indent + 1)}" for k, v in value.items())
        return "{\n" + inner + f"\n{pad}}}"
    raise TypeError(type(value))


def _key(key: str) -> str:
    return key if key.replace("_", "").isalnum() and not key[0].isdigit() else json.dumps(key)


def module_call(name: str, source: str, args: dict, raw: dict | None = None, extra: str = "") -> str:
    lines = [f'module "{name}" {{', f'  source = "{source}"']
    if extra:
        lines.append(extra)
    for key, value in args.items():
        lines.append(f"  {key} = {hcl(value, 1)}")
    for key, expr in (raw or {}).items():
        lines.append(f"  {key} = {expr}")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- one application

@dataclass
class App:
    name: str
    stack: str
    team: str
    classification: str
    fat: bool  # resources written in the root module, rather than in apps/<name>
    calls: list[tuple[str, str, dict, dict]] = field(default_factory=list)  # (call name, module kind, args, raw args)
    own: list[str] = field(default_factory=list)  # resource blocks written inline
    own_instances: int = 0
    queues: list[str] = field(default_factory=list)


def plan_app(rng: random.Random, name: str, stack: str) -> App:
    """Choose the modules and inline resources of one application (the same in every env)."""
    app = App(name, stack, team=rng.choice(("platform", "data", "citizen", "backoffice", "security")),
              classification=rng.choice(CLASSIFICATIONS), fat=rng.random() < 0.5)
    if stack in ("aws", "mixed"):
        azs = rng.choice((["a", "b"], ["a", "b", "c"]))
        app.calls.append(("network", "aws-network", {"name": f"{name}-net", "cidr": f"10.{rng.randrange(256)}.0.0/16", "azs": azs}, {"tags": "local.common_tags"}))
        buckets = {f"{w}-{i}": {"classification": rng.choice(CLASSIFICATIONS)} if rng.random() < 0.4 else {} for i, w in enumerate(rng.sample(WORDS, rng.randint(2, 6)))}
        app.calls.append(("storage", "aws-storage", {"name": f"{name}-data", "buckets": buckets}, {"tags": "local.common_tags", "classification": "var.classification"}))
        app.calls.append(("database", "aws-database", {"name": f"{name}-db", "replica": rng.random() < 0.4}, {"tags": "local.common_tags", "classification": "var.classification", "subnet_ids": "module.network.private_subnet_ids"}))
        app.calls.append(("compute", "aws-compute", {"name": f"{name}-app", "desired": rng.randint(1, 4)}, {"tags": "local.common_tags", "instance_type": "var.instance_type"}))
        if rng.random() < 0.3:
            app.calls.append(("backup", "aws-storage", {"name": f"{name}-backup", "buckets": {"backup": {}}}, {"tags": "local.common_tags", "classification": "var.classification", "providers": "{ aws = aws.dr }"}))
        queues = rng.sample(WORDS, rng.randint(1, 4))
        app.own.append('''resource "aws_sqs_queue" "jobs" {
  for_each                  = toset(var.queues)
  name                      = "${local.name}-${each.key}"
  message_retention_seconds = 345600
  kms_master_key_id         = module.storage.kms_key_arn
  tags                      = merge(local.common_tags, { queue = each.key })
}

resource "aws_sns_topic" "alerts" {
  name = "${local.name}-alerts"
  tags = { data_classification = "internal" }
}

resource "aws_dynamodb_table" "sessions" {
  name         = "${local.name}-sessions"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {
    name = "id"
    type = "S"
  }
  dynamic "replica" {
    for_each = var.env == "prod" ? [var.dr_region] : []
    content {
      region_name = replica.value
    }
  }
  tags = { data_classification = var.classification }
}
''')
        app.own_instances += len(queues) + 2
        app.queues = queues
    if stack in ("azure", "mixed"):
        containers = rng.sample(WORDS, rng.randint(1, 4))
        app.calls.append(("azure", "azure-app", {"name": f"{name}-az", "containers": containers}, {"tags": "local.common_tags", "classification": "var.classification", "location": "var.azure_location"}))
        app.own.append('''resource "azurerm_monitor_action_group" "ops" {
  name                = "ag-${local.name}"
  resource_group_name = "rg-${local.name}-az"
  short_name          = "ops"
  email_receiver {
    name          = "ops"
    email_address = "ops@${var.team}.example.gouv.fr"
  }
}
''')
        app.own_instances += 1
    if stack in ("google", "mixed"):
        datasets = rng.sample(("raw", "curated", "reporting", "audit", "ml"), rng.randint(1, 4))
        s3ns = rng.random() < 0.5
        raw = {"tags": "local.common_tags", "classification": "var.classification", "project": "var.gcp_project", "region": "var.gcp_region"}
        extra = "  providers = { google = google.s3ns }" if s3ns else ""
        app.calls.append(("data", "google-data", {"name": f"{name}-gcp", "datasets": datasets}, raw | ({"__extra": extra} if extra else {})))
    if stack in ("outscale", "mixed"):
        app.calls.append(("vms", "outscale-vm", {"name": f"{name}-osc", "vm_count": rng.randint(1, 5)}, {"tags": "local.common_tags", "classification": "var.classification", "subregion": '"${var.outscale_region}a"'}))
    if stack in ("scaleway", "mixed"):
        app.calls.append(("scw", "scaleway-app", {"name": f"{name}-scw", "servers": rng.randint(1, 4)}, {"tags": "local.common_tags", "classification": "var.classification", "zone": "var.scaleway_zone"}))
    return app


def app_instances(app: App) -> int:
    return app.own_instances + sum(module_instances(kind, args) for _, kind, args, _ in app.calls)


# --------------------------------------------------------------------------- files of an application

def versions_tf(app: App, env: str) -> str:
    providers = {"aws": ("hashicorp/aws", "~> 5.60"), "azure": ("hashicorp/azurerm", "~> 4.0"),
                 "google": ("hashicorp/google", "~> 6.0"), "outscale": ("outscale/outscale", "~> 1.0"),
                 "scaleway": ("scaleway/scaleway", "~> 2.40")}
    wanted = ["aws", "azure", "google", "outscale", "scaleway"] if app.stack == "mixed" else [app.stack]
    names = {"aws": "aws", "azure": "azurerm", "google": "google", "outscale": "outscale", "scaleway": "scaleway"}
    body = "\n".join(f'    {names[w]} = {{\n      source  = "{providers[w][0]}"\n      version = "{providers[w][1]}"\n    }}' for w in wanted)
    return f'''terraform {{
  required_version = ">= 1.6"
  required_providers {{
{body}
  }}
  backend "s3" {{
    bucket = "tfstate-ministere"
    key    = "{env}/{app.name}/terraform.tfstate"
    region = "eu-west-3"
  }}
}}
'''


def providers_tf(app: App) -> str:
    parts = []
    if app.stack in ("aws", "mixed"):
        parts.append('''provider "aws" {
  region = var.region
  default_tags {
    tags = {
      env        = var.env
      workload   = var.app
      team       = var.team
      managed_by = "terraform"
    }
  }
}

provider "aws" {
  alias  = "dr"
  region = var.dr_region
  default_tags {
    tags = { env = var.env, workload = var.app, role = "disaster-recovery" }
  }
}
''')
    if app.stack in ("azure", "mixed"):
        parts.append('''provider "azurerm" {
  features {
    key_vault {
      purge_soft_delete_on_destroy = false
    }
  }
  subscription_id = var.azure_subscription
}
''')
    if app.stack in ("google", "mixed"):
        parts.append('''provider "google" {
  project = var.gcp_project
  region  = var.gcp_region
  default_labels = {
    env      = var.env
    workload = var.app
  }
}

provider "google" {
  alias           = "s3ns"
  universe_domain = "s3nsapis.fr"
  project         = var.gcp_project
  region          = "u-france-east1"
}
''')
    if app.stack in ("outscale", "mixed"):
        parts.append('''provider "outscale" {
  region = var.outscale_region
}
''')
    if app.stack in ("scaleway", "mixed"):
        parts.append('''provider "scaleway" {
  zone   = var.scaleway_zone
  region = join("-", slice(split("-", var.scaleway_zone), 0, 2))
}
''')
    return "\n".join(parts)


ROOT_VARIABLES = {
    "env": ('string', None, "Deployment environment"),
    "app": ('string', None, "Application name, also the workload tag"),
    "team": ('string', '"platform"', "Owning team"),
    "classification": ('string', '"internal"', "Data classification of the application"),
    "extra_tags": ('map(string)', "{}", "Tags added to every resource"),
    "region": ('string', '"eu-west-3"', "AWS region"),
    "dr_region": ('string', '"eu-west-1"', "AWS region of the disaster-recovery copies"),
    "instance_type": ('string', '"t3.small"', "EC2 instance type"),
    "queues": ('list(string)', "[]", "SQS queues to create"),
    "azure_location": ('string', '"francecentral"', "Azure location"),
    "azure_subscription": ('string', '"00000000-0000-0000-0000-000000000000"', "Azure subscription"),
    "gcp_project": ('string', '"ministere-data"', "Google Cloud project"),
    "gcp_region": ('string', '"europe-west9"', "Google Cloud region"),
    "outscale_region": ('string', '"eu-west-2"', "Outscale region"),
    "scaleway_zone": ('string', '"fr-par-1"', "Scaleway zone"),
}


def variables_tf() -> str:
    out = []
    for name, (type_, default, description) in ROOT_VARIABLES.items():
        lines = [f'variable "{name}" {{', f'  description = "{description}"', f"  type        = {type_}"]
        if default is not None:
            lines.append(f"  default     = {default}")
        if name == "env":
            lines += ["  validation {", '    condition     = contains(["dev", "test", "staging", "preprod", "prod"], var.env)',
                      '    error_message = "Unknown environment."', "  }"]
        out.append("\n".join(lines) + "\n}\n")
    return "\n".join(out)


def locals_tf() -> str:
    return '''locals {
  name = "${var.app}-${var.env}"
  common_tags = merge(var.extra_tags, {
    workload            = var.app
    data_classification = var.classification
    env                 = var.env
  })
  is_prod = var.env == "prod"
}
'''


def calls_tf(app: App, source_of) -> str:
    out = []
    for call_name, kind, args, raw in app.calls:
        raw = dict(raw)
        extra = raw.pop("__extra", "")
        if "providers" in raw:
            extra = "  providers = " + raw.pop("providers")
        args = dict(args)
        args["name"] = f'{args["name"]}-ENV'
        text = module_call(call_name, source_of(kind), args, raw, extra)
        out.append(text.replace('-ENV"', '-${var.env}"'))
    return "\n".join(out)


def tfvars(rng: random.Random, app: App, env: str) -> str:
    values = {"env": env, "app": app.name, "team": app.team, "classification": app.classification,
              "extra_tags": {"cost_center": f"CC{rng.randrange(1000, 9999)}", "owner": f"{app.team}@example.gouv.fr"}}
    if app.stack in ("aws", "mixed"):
        values |= {"region": rng.choice(AWS_REGIONS), "dr_region": "eu-west-1", "instance_type": rng.choice(("t3.small", "m6i.large", "c6i.xlarge")),
                   "queues": app.queues}
    if app.stack in ("azure", "mixed"):
        values["azure_location"] = rng.choice(AZURE_LOCATIONS)
    if app.stack in ("google", "mixed"):
        values["gcp_region"] = rng.choice(GOOGLE_REGIONS)
        values["gcp_project"] = f"min-{app.name}-{env}"
    if app.stack in ("outscale", "mixed"):
        values["outscale_region"] = rng.choice(OUTSCALE_REGIONS)
    if app.stack in ("scaleway", "mixed"):
        values["scaleway_zone"] = rng.choice(SCALEWAY_ZONES)
    return "\n".join(f"{k} = {hcl(v)}" for k, v in values.items()) + "\n"


def outputs_tf(app: App) -> str:
    out = []
    for call_name, kind, _, _ in app.calls:
        first = MODULES[kind]["outputs.tf"].split('"')[1]
        out.append(f'output "{call_name}_{first}" {{\n  value = module.{call_name}.{first}\n}}\n')
    return "\n".join(out)


def add_app(corpus: Corpus, rng: random.Random, app: App, envs: tuple[str, ...]) -> None:
    """Write one application in every environment."""
    variables = variables_tf()
    if not app.fat:
        # The application's own module; roots are thin and pass their variables through.
        base = f"apps/{app.name}"
        corpus.files[f"{base}/variables.tf"] = variables
        corpus.files[f"{base}/locals.tf"] = locals_tf()
        corpus.files[f"{base}/main.tf"] = calls_tf(app, lambda kind: f"../../modules/{kind}") + "\n" + "\n".join(app.own)
        corpus.files[f"{base}/outputs.tf"] = outputs_tf(app)
        corpus.files[f"{base}/versions.tf"] = module_versions_tf(app)
    for env in envs:
        root = f"live/{env}/{app.name}"
        corpus.files[f"{root}/versions.tf"] = versions_tf(app, env)
        corpus.files[f"{root}/providers.tf"] = providers_tf(app)
        corpus.files[f"{root}/variables.tf"] = variables
        corpus.files[f"{root}/terraform.tfvars"] = tfvars(rng, app, env)
        if app.fat:
            corpus.files[f"{root}/locals.tf"] = locals_tf()
            corpus.files[f"{root}/main.tf"] = calls_tf(app, lambda kind: f"../../../modules/{kind}") + "\n" + "\n".join(app.own)
            corpus.files[f"{root}/outputs.tf"] = outputs_tf(app)
        else:
            passed = "\n".join(f"  {name} = var.{name}" for name in ROOT_VARIABLES)
            providers = _providers_passed(app)
            corpus.files[f"{root}/main.tf"] = f'module "app" {{\n  source = "../../../apps/{app.name}"\n{providers}{passed}\n}}\n'
            corpus.files[f"{root}/outputs.tf"] = 'output "app" {\n  value     = module.app\n  sensitive = false\n}\n'
        corpus.resources += app_instances(app) + 1  # sovscan also lists the state backend (the state holds data)
        corpus.roots += 1


def _providers_passed(app: App) -> str:
    # An explicit providers map turns off default inheritance: every provider is listed.
    if app.stack not in ("aws", "google", "mixed"):
        return ""
    pairs = []
    if app.stack in ("aws", "mixed"):
        pairs += ["aws = aws", "aws.dr = aws.dr"]
    if app.stack in ("google", "mixed"):
        pairs += ["google = google", "google.s3ns = google.s3ns"]
    if app.stack == "mixed":
        pairs += ["azurerm = azurerm", "outscale = outscale", "scaleway = scaleway"]
    return f"  providers = {{ {', '.join(pairs)} }}\n"


def generate(size: str, seed: int = 8) -> Corpus:
    target = SIZES[size]
    envs = ENVS_BY_SIZE[size]
    rng = random.Random(f"{seed}-{size}")
    corpus = Corpus()
    for kind, files in MODULES.items():
        for name, text in files.items():
            corpus.files[f"modules/{kind}/{name}"] = text
    index = 0
    while corpus.resources < target:
        name = f"{WORDS[index % len(WORDS)]}-{index // len(WORDS) + 1:03d}"
        app = plan_app(rng, name, rng.choice(STACKS))
        add_app(corpus, rng, app, envs)
        index += 1
    return corpus


def module_versions_tf(app: App) -> str:
    """An app module that receives aliased providers declares them (configuration_aliases)."""
    wanted = []
    if app.stack in ("aws", "mixed"):
        wanted.append('    aws = { source = "hashicorp/aws", configuration_aliases = [aws.dr] }')
    if app.stack in ("google", "mixed"):
        wanted.append('    google = { source = "hashicorp/google", configuration_aliases = [google.s3ns] }')
    providers = "  required_providers {\n" + "\n".join(wanted) + "\n  }\n" if wanted else ""
    return 'terraform {\n  required_version = ">= 1.6"\n' + providers + "}\n"


def write(corpus: Corpus, directory: Path) -> None:
    if directory.exists():
        shutil.rmtree(directory)
    for rel, text in sorted(corpus.files.items()):
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (directory / "CORPUS.json").write_text(json.dumps({"resources": corpus.resources, "roots": corpus.roots, "files": len(corpus.files),
                                                        "bytes": sum(len(t.encode()) for t in corpus.files.values())}, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", metavar="SIZE", help=f"corpus sizes among {', '.join(SIZES)} (default: all)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--out", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    unknown = [size for size in args.sizes if size not in SIZES]
    if unknown:
        parser.error(f"unknown size {', '.join(unknown)}; choose among {', '.join(SIZES)}")
    for size in args.sizes or list(SIZES):
        corpus = generate(size, args.seed)
        write(corpus, args.out / size)
        size_mb = sum(len(t.encode()) for t in corpus.files.values()) / 1e6
        print(f"{size}: {corpus.resources} resource instances, {corpus.roots} root modules, {len(corpus.files)} files, {size_mb:.1f} MB -> {args.out / size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
