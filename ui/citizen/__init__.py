"""The citizen kiosk's screens (roles kiosk and bank): one widget per state of the kiosk flow
(`kiosk.states`, `kiosk.flow`)."""
