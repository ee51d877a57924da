"""clientfocus.exchange (framework-free)."""
