"""Voice packs: a folder of recorded clips (digits, letters, counters, phrases) and a manifest
(`pack.toml`) saying how a call sentence is put together in that language. The board's call is
concatenated from the clips in the hall's order of languages, so a hall can record its own
Mongolian pack; Kuaiban ships a Mandarin pack made once with espeak-ng (`packs/zh`) and the
layout of a Mongolian pack to record (`packs/mn-example`)."""

from ui.voicepack.assemble import CallAudio, MissingClip, Part, VoicePack
from ui.voicepack.calls import CallVoice, shipped_pack
from ui.voicepack.manifest import VoicePackError

__all__ = ["CallAudio", "CallVoice", "MissingClip", "Part", "VoicePack", "VoicePackError",
           "shipped_pack"]
