"""The screens' texts, one module per area: key -> (Vietnamese, English)."""
