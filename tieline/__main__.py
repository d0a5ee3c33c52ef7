"""`python -m tieline` runs the command line."""

from tieline.cli import main

main()
