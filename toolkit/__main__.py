"""``python -m toolkit``: the same CLI as the ``toolkit`` console script."""

from .cli.main import main

main()
