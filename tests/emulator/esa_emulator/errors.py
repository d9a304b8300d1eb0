"""ESA error codes with the HTTP status and English message the ESA API documents for them."""

from __future__ import annotations

# code -> (HTTP status, message). The first block is copied from the ESA 2024-09-10 API pages of
# the client-certificate family; the rest are the Alibaba Cloud gateway's common codes.
ERRORS: dict[str, tuple[int, str]] = {
    'MissingSiteId': (400, 'Required parameter SiteId missing. Specify SiteId and try again.'),
    'InvalidParameter.SiteId': (
        400, 'Failed to query the website based on the SiteID you specified. Check parameter SiteId and try again.'),
    'InternalException': (400, 'Failed to call the service. Try again later or contact technical support.'),
    'InvalidParameter': (400, 'The specified parameter is invalid.'),
    'QuotaCheckFailed.Function': (
        400, 'The feature is unavailable in your plan. Upgrade the plan or contact your account manager to request the feature.'),
    'Id.MissingParameter': (400, 'The parameter Id is required.'),
    'Certificate.StatusError': (400, 'The status of the certificate is invalid.'),
    'Certificate.NotFound': (404, 'The specified certificate does not exist.'),
    'Unauthorized.InvalidTime': (403, 'The specified authentication time is invalid.'),
    'Unauthorized.InvalidToken': (403, 'Token authentication failed.'),
    # Gateway codes: flow control, outages, unknown action or version.
    'Throttling.User': (429, 'Request was denied due to user flow control.'),
    'Throttling.Api': (429, 'Request was denied due to api flow control.'),
    'ServiceUnavailable': (503, 'The request has failed due to a temporary failure of the server.'),
    'InternalError': (500, 'The request processing has failed due to some unknown error, exception or failure.'),
    'InvalidAction.NotFound': (404, 'Specified api is not found, please check your url and method.'),
    'InvalidVersion': (400, 'Specified parameter Version is not valid.'),
}


class EsaError(Exception):
    """An ESA error answer: raised anywhere while handling a call, turned into JSON by the service."""

    def __init__(self, code: str, *, status: int | None = None, message: str | None = None,
                 retry_after_ms: int | None = None, reason: str | None = None) -> None:
        known_status, known_message = ERRORS.get(code, (500, code))
        self.code = code
        self.status = status if status is not None else known_status
        self.message = message if message is not None else known_message
        self.retry_after_ms = retry_after_ms
        # Why the emulator refused: logged only, because ESA's answer carries the fixed message.
        self.reason = reason or ''
        super().__init__(f'{code}: {self.reason or self.message}')
