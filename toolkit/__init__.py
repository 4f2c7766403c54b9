"""Marketing Toolkit: the marketing department's monthly cycle in the Excel workbooks it already uses."""

__version__ = "0.1.0"
#: Written into every template's Info sheet; the reader accepts any 0.x template.
TEMPLATE_VERSION = "1.0"
