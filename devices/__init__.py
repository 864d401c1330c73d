"""Drivers and simulators for the devices of a hall terminal: ID card readers, ticket printers,
document cameras and evaluation pads. Never imports Qt, the server or the kiosk."""
