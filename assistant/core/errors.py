"""Domain errors. The library raises them; only the CLI and the UI turn them into messages."""


class AssistantError(Exception):
    """Base class: the message is one line a user can act on."""


class ModelMissingError(AssistantError):
    """A model file is absent or fails its checksum."""


class IndexStateError(AssistantError):
    """The index is missing, damaged or was built with another embedding model."""


class InputError(AssistantError):
    """The user's input (question, file, folder) cannot be used."""
