"""Deduplication: many formulations of one knowledge question become one agenda question.

The stage, in the order data flows through it:

- ``text``      Dutch normalisation, stop words, stemming
- ``embed``     offline sentence embedders (vectors cached in DuckDB by the caller)
- ``pairs``     candidate pairs, pair features, the pair model, linkage clustering
- ``clusters``  the build's clustering over the database: stable ``Q-`` ids, curator decisions
- ``curation``  reading and writing ``curation.yaml``
- ``review``    the curator's review queue (``kennisagenda review``)
- ``csv_io``    ``kennisagenda cluster IN.csv -o OUT.csv``: deduplication without a database
"""
