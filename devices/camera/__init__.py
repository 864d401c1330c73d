"""The document camera (高拍仪): cameras opened from URLs (`source`), finding, correcting and
encoding the page (`document`), synthetic desk photos for tests and the simulator (`synth`),
and the `python -m devices scan` command (`cli`)."""

from devices.camera.source import Camera, open_camera

__all__ = ["Camera", "open_camera"]
