"""`python -m pressfeed` runs the CLI."""

from pressfeed.cli import main

main()
