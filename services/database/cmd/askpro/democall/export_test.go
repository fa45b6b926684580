package democall

// SMSTextForTest exposes smsText to the external tests.
var SMSTextForTest = smsText
