"""What `citetrail eval` runs: SciFact with its official metrics, and any labelled claim set (dev scripts stay in eval/)."""
