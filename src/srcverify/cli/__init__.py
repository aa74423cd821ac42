"""The ``srcverify`` command line, one module per verb.

:func:`srcverify.cli.main.main` parses arguments and runs ``verify``;
:mod:`~srcverify.cli.map` and :mod:`~srcverify.cli.trust_root` add the
``map`` and ``trust-root`` verbs. This package reads files and the clock and
prints; every decision is made by the packages below it. It exports nothing:
the command is the interface (``srcverify``, ``python -m srcverify``).
"""

__all__: list[str] = []
