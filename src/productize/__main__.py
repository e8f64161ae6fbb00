"""`python -m productize` is the same as the `productize` console script."""

from productize.cli import main

raise SystemExit(main())
