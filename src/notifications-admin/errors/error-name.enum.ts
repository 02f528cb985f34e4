/**
 * Every error name of the spec, with the HTTP status it is answered with.
 * Host modules may throw these too; the envelope filter maps them the same way.
 */
export enum ErrorName {
  ValidationFailed = 'ValidationFailed',
  IllegalArgument = 'IllegalArgument',
  BadRequest = 'BadRequest',
  DataIntegrityError = 'DataIntegrityError',
  NotImplementedError = 'NotImplementedError',
  RetriggerRateLimited = 'RETRIGGER_RATE_LIMITED',
  UserCreationFailed = 'USER_CREATION_FAILED',
  UserFallbackFailed = 'USER_FALLBACK_FAILED',
  AccessDenied = 'AccessDenied',
  NotFound = 'NotFound',
  Conflict = 'Conflict',
  UnexpectedError = 'UnexpectedError',
  ThirdPartyError = 'ThirdPartyError',
  DatabaseError = 'DatabaseError',
  UserFallbackTimeout = 'USER_FALLBACK_TIMEOUT',
}

export const ERROR_STATUS: Readonly<Record<ErrorName, number>> = {
  [ErrorName.ValidationFailed]: 400,
  [ErrorName.IllegalArgument]: 400,
  [ErrorName.BadRequest]: 400,
  [ErrorName.DataIntegrityError]: 400,
  [ErrorName.NotImplementedError]: 400,
  [ErrorName.RetriggerRateLimited]: 400,
  [ErrorName.UserCreationFailed]: 400,
  [ErrorName.UserFallbackFailed]: 400,
  [ErrorName.AccessDenied]: 403,
  [ErrorName.NotFound]: 404,
  [ErrorName.Conflict]: 409,
  [ErrorName.UnexpectedError]: 500,
  [ErrorName.ThirdPartyError]: 500,
  [ErrorName.DatabaseError]: 500,
  [ErrorName.UserFallbackTimeout]: 500,
};
