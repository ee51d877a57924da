"""clientfocus.analytics: the selling method as pure functions (framework-free)."""
