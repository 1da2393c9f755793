"""The Vorhabenliste: the city's planned projects and their links."""
