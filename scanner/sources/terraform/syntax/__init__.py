"""Text to syntax tree: HCL and .tf.json files, with lines, parse errors explained, parsed once (parse cache) and in parallel."""
