/**
 * Status codes (identical to gRPC's and TensorFlow's canonical codes) and the OpError classes.
 * An error raised on any task reaches the client as the same class, whatever carried it.
 */
export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
export type Code = (typeof Code)[keyof typeof Code];

export interface OpErrorOptions {
  nodeName?: string;
}

/** Base class of every runtime error; `code` is the canonical status code. */
export class OpError extends Error {
  readonly code: Code;
  readonly nodeName: string | undefined;
  constructor(message: string, options: OpErrorOptions = {}, code: Code = Code.UNKNOWN) {
    super(message);
    this.code = code;
    this.nodeName = options.nodeName;
    this.name = new.target.name;
  }
}

function defineError(name: string, code: Code) {
  const cls = class extends OpError {
    constructor(message: string, options: OpErrorOptions = {}) {
      super(message, options, code);
    }
  };
  Object.defineProperty(cls, "name", { value: name });
  return cls;
}

export const CancelledError = defineError("CancelledError", Code.CANCELLED);
export const UnknownError = defineError("UnknownError", Code.UNKNOWN);
export const InvalidArgumentError = defineError("InvalidArgumentError", Code.INVALID_ARGUMENT);
export const DeadlineExceededError = defineError("DeadlineExceededError", Code.DEADLINE_EXCEEDED);
export const NotFoundError = defineError("NotFoundError", Code.NOT_FOUND);
export const AlreadyExistsError = defineError("AlreadyExistsError", Code.ALREADY_EXISTS);
export const PermissionDeniedError = defineError("PermissionDeniedError", Code.PERMISSION_DENIED);
export const ResourceExhaustedError = defineError("ResourceExhaustedError", Code.RESOURCE_EXHAUSTED);
export const FailedPreconditionError = defineError("FailedPreconditionError", Code.FAILED_PRECONDITION);
export const AbortedError = defineError("AbortedError", Code.ABORTED);
export const OutOfRangeError = defineError("OutOfRangeError", Code.OUT_OF_RANGE);
export const UnimplementedError = defineError("UnimplementedError", Code.UNIMPLEMENTED);
export const InternalError = defineError("InternalError", Code.INTERNAL);
export const UnavailableError = defineError("UnavailableError", Code.UNAVAILABLE);
export const DataLossError = defineError("DataLossError", Code.DATA_LOSS);
export const UnauthenticatedError = defineError("UnauthenticatedError", Code.UNAUTHENTICATED);


export type CancelledError = InstanceType<typeof CancelledError>;
export type UnknownError = InstanceType<typeof UnknownError>;
export type InvalidArgumentError = InstanceType<typeof InvalidArgumentError>;
export type DeadlineExceededError = InstanceType<typeof DeadlineExceededError>;
export type NotFoundError = InstanceType<typeof NotFoundError>;
export type AlreadyExistsError = InstanceType<typeof AlreadyExistsError>;
export type PermissionDeniedError = InstanceType<typeof PermissionDeniedError>;
export type ResourceExhaustedError = InstanceType<typeof ResourceExhaustedError>;
export type FailedPreconditionError = InstanceType<typeof FailedPreconditionError>;
export type AbortedError = InstanceType<typeof AbortedError>;
export type OutOfRangeError = InstanceType<typeof OutOfRangeError>;
export type UnimplementedError = InstanceType<typeof UnimplementedError>;
export type InternalError = InstanceType<typeof InternalError>;
export type UnavailableError = InstanceType<typeof UnavailableError>;
export type DataLossError = InstanceType<typeof DataLossError>;
export type UnauthenticatedError = InstanceType<typeof UnauthenticatedError>;

const byCode: Record<number, new (message: string, options?: OpErrorOptions) => OpError> = {
  [Code.CANCELLED]: CancelledError,
  [Code.UNKNOWN]: UnknownError,
  [Code.INVALID_ARGUMENT]: InvalidArgumentError,
  [Code.DEADLINE_EXCEEDED]: DeadlineExceededError,
  [Code.NOT_FOUND]: NotFoundError,
  [Code.ALREADY_EXISTS]: AlreadyExistsError,
  [Code.PERMISSION_DENIED]: PermissionDeniedError,
  [Code.RESOURCE_EXHAUSTED]: ResourceExhaustedError,
  [Code.FAILED_PRECONDITION]: FailedPreconditionError,
  [Code.ABORTED]: AbortedError,
  [Code.OUT_OF_RANGE]: OutOfRangeError,
  [Code.UNIMPLEMENTED]: UnimplementedError,
  [Code.INTERNAL]: InternalError,
  [Code.UNAVAILABLE]: UnavailableError,
  [Code.DATA_LOSS]: DataLossError,
  [Code.UNAUTHENTICATED]: UnauthenticatedError,
};

/** Rebuilds the right OpError subclass from a status that crossed a boundary. */
export function errorFromStatus(status: Status): OpError {
  const cls = byCode[status.code] ?? UnknownError;
  return new cls(status.message, status.nodeName ? { nodeName: status.nodeName } : {});
}

/** A status as it travels in messages: code, text and the node that failed. */
export interface Status {
  code: number;
  message: string;
  nodeName?: string;
}

/** Any thrown value as a Status; foreign errors become UNKNOWN (or INTERNAL for programming errors). */
export function toStatus(err: unknown): Status {
  if (err instanceof OpError) {
    return { code: err.code, message: err.message, ...(err.nodeName ? { nodeName: err.nodeName } : {}) };
  }
  if (err instanceof Error) return { code: Code.UNKNOWN, message: `${err.name}: ${err.message}` };
  return { code: Code.UNKNOWN, message: String(err) };
}

/** Wraps any thrown value as an OpError, keeping OpErrors as they are. */
export function asOpError(err: unknown): OpError {
  return err instanceof OpError ? err : errorFromStatus(toStatus(err));
}

/** Copy of `err` that names `nodeName` when it names no node yet. */
export function withNode(err: unknown, nodeName: string): OpError {
  const e = asOpError(err);
  if (e.nodeName) return e;
  return errorFromStatus({ code: e.code, message: e.message, nodeName });
}

/**
 * The error an aborted wait fails with: the abort's reason when it is an OpError (a deadline, a
 * session close, a failing sibling), else CancelledError(`message`).
 */
export function cancellationError(reason: unknown, message: string): OpError {
  return reason instanceof OpError ? reason : new CancelledError(message);
}
