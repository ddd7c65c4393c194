"""The bundled Traveler server: ASGI app, store, services, administration, CLI."""
