"""`python -m dashgen`: the same as the `dashgen` command."""

from dashgen.cli.main import main

main()
