"""Per computation: its JSON payload, its xlsx sheets and text, with one bilingual label table."""
