"""The citizen kiosk's screens (roles kiosk and bank): one widget per state of kiosk.flow."""
