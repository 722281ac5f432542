"""The one error type use-cases raise when the user can fix something, and the shape of its message tables."""


class DomainError(Exception):
    """A use-case refused what it was asked: `code` says why, `field` names the form field at fault (or None),
    `params` fill in the message.

    Each service subclasses this once, next to the code that raises it, with its own `messages` table
    (code -> lazily translated text) and, where an answer is not 422, `statuses` (code -> HTTP status). Views
    never write messages of their own: a form view puts `message` beside `field` (`app.web.errors.show_on_form`),
    and anything else is answered by the central handler as JSON or HTML in the user's language."""

    messages: dict = {}
    statuses: dict = {}
    default_status = 422

    def __init__(self, code: str, field: str | None = None, **params):
        super().__init__(code)
        self.code, self.field, self.params = code, field, params

    @property
    def status(self) -> int:
        return self.statuses.get(self.code, self.default_status)

    @property
    def message(self) -> str:
        """The message in the current user's language (the code itself if a table lacks it: a bug, logged)."""
        text = self.messages.get(self.code)
        if text is None:
            return self.code
        return str(text) % self.params if self.params else str(text)
