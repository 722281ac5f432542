"""The web layer: one blueprint package per kind of user, central errors, language selection."""
