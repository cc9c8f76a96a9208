"""The chapters of the Word report, one module each.

Each module has ``HEADING`` (its level-1 heading, shown in the contents) and
``write(w: Writer) -> None``, which writes the chapter through the ``Writer`` of
``agenda/report/docx_base.py``. ``agenda/report/docx_writer.py`` lists them in ``CHAPTERS``.
"""
