class UserError(Exception):
    """Something a user asked for that cannot be done. The message is translated and shown to them as is:
    a 400 (or `status_code`) in the API, a form or page error in the browser. Raised before anything changes.
    """

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if status_code is not None:
            self.status_code = status_code
