"""The `dashgen` command line: thin click commands over the dashgen library."""
