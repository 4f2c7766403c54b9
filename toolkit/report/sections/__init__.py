"""The monthly report, section by section: each module selects, reshapes and labels the computations' results for
one section; ``toolkit.report.context.build_context`` assembles them."""
