"""`citetrail serve`: the HTTP API, the web app and the MCP server, thin over `pipeline.api.Verifier`."""
