"""ClientFocus: B2B client-portfolio and key-account system."""
