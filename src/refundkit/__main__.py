"""Allow ``python -m refundkit``."""

from refundkit.cli import main

main()
