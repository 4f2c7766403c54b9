"""Inside Excel: the workbook port, the ribbon macros, the worksheet functions and the add-in builder.

Nothing here holds business logic: macros and UDFs are thin layers over ``toolkit.core`` and
``toolkit.money``; ``toolkit.excel.addin`` writes ``MarketingToolkit.xlam`` without Excel.
"""
