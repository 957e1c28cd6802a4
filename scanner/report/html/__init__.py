"""The audit report: one self-contained HTML page (and its Markdown and text renderings) built from one block model."""
