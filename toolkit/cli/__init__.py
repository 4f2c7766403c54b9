"""Entry points: the click CLI. Each command parses input, calls one library function, presents it."""
