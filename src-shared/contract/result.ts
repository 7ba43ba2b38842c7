/**
 * Every reply that crosses a transport is a Result: errors travel as data with a code from a
 * closed union, so the renderer can branch on `code` and show `message` in plain words.
 */
export const ERROR_CODES = [
  'INVALID_ARGUMENT', // arguments failed the schema, or a value makes no sense (unknown label)
  'NOT_FOUND', // a clip, dataset, folder or file that does not exist
  'UNSUPPORTED_FORMAT', // a file we cannot read as audio (unknown container or codec)
  'DECODE_FAILED', // a file that claims to be audio but is empty, truncated or corrupt
  'IO_ERROR', // the file system said no (permissions, disk full)
  'CANCELLED', // the caller cancelled a long operation
  'CONFLICT', // the request clashes with current state (a job id already running)
  'FORBIDDEN', // a path outside what the studio may read, or a transport check failed
  'UNKNOWN_METHOD', // no such method in the contract
  'INTERNAL', // a bug: the message says what failed
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ContractError {
  code: ErrorCode;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ContractError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function err(code: ErrorCode, message: string): { ok: false; error: ContractError } {
  return { ok: false, error: { code, message } };
}

/** Thrown by services; the dispatcher turns it into `{ok: false, error}`. */
export class StudioError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'StudioError';
    this.code = code;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
