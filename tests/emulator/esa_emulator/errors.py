"""ESA error codes with the HTTP status and English message that ESA or Alibaba Cloud's API gateway answers with."""

from __future__ import annotations

# code -> (HTTP status, message). The sources of each block are in tests/emulator/README.md ("Evidence").
ERRORS: dict[str, tuple[int, str]] = {
    # The ESA 2024-09-10 API pages of the client-certificate family.
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
    # The Alibaba Cloud API gateway's own answers: authentication, routing.
    'InvalidTimeStamp.Expired': (400, 'Specified time stamp or date value is expired.'),
    'InvalidTimeStamp.Format': (400, 'Specified time stamp or date value is not well formatted.'),
    'SignatureDoesNotMatch': (400, 'Specified signature is not matched with our calculation.'),
    'InvalidAccessKeyId.NotFound': (404, 'Specified access key is not found.'),
    'IncompleteSignature': (400, 'The request signature does not conform to Aliyun standards.'),
    'SignatureNonceUsed': (400, 'Specified signature nonce was used already.'),
    'InvalidSecurityToken.MismatchWithAccessKey': (400, 'Specified SecurityToken mismatch with the AccessKey.'),  # unverified
    'InvalidAction.NotFound': (404, 'Specified api is not found, please check your url and method.'),
    'InvalidApi.NotFound': (404, 'Specified api is not found, please check your url and method.'),
    'InvalidVersion': (400, 'Specified parameter Version is not valid.'),
    'SiteNotFound': (404, 'The specified site does not exist.'),  # unverified status and message
    # Flow control and outages: the gateway's and ESA's (statuses other than the common table's are unverified).
    'Throttling.User': (429, 'Request was denied due to user flow control.'),
    'Throttling.user': (400, 'Request was denied due to user flow control.'),
    'Throttling.Api': (429, 'Request was denied due to api flow control.'),
    'Throttling.ConcurrentLimitExceeded': (400, 'Request was denied due to concurrent flow control.'),
    'Throttling': (400, 'Request was denied due to request throttling.'),
    'Rejected.Throttling': (400, 'Request was denied due to flow control.'),
    'ServiceUnavailable': (503, 'The request has failed due to a temporary failure of the server.'),
    'InternalError': (500, 'The request processing has failed due to some unknown error, exception or failure.'),
}


class EsaError(Exception):
    """An ESA error answer: raised anywhere while handling a call, turned into JSON by the service."""

    def __init__(self, code: str, *, status: int | None = None, message: str | None = None,
                 retry_after_ms: int | None = None, reason: str | None = None, throttling: bool = False,
                 retry_after_header: str | None = None) -> None:
        known_status, known_message = ERRORS.get(code, (500, code))
        self.code = code
        self.status = status if status is not None else known_status
        self.message = message if message is not None else known_message
        self.retry_after_ms = retry_after_ms  # None: no x-acs-retry-after header
        self.retry_after_header = retry_after_header  # when set, the header's exact text (wins over retry_after_ms)
        # Flow control (a throttle fault or the QPS limit), whatever its code, status and headers.
        self.throttling = throttling
        # Why the emulator refused: logged only, because ESA's answer carries the fixed message.
        self.reason = reason or ''
        super().__init__(f'{code}: {self.reason or self.message}')
