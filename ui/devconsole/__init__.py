"""The device console of the demo (role `devices`): the window and its words."""
