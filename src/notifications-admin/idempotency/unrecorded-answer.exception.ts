import { ApiException } from '../errors/api.exception';

/**
 * The sends of a request happened, then the database failed while recording
 * them. Answered as the DatabaseError it carries; it also carries the answer
 * the request would have given, which an Idempotency-Key must keep: a key
 * whose sends happened never runs them again.
 */
export class UnrecordedAnswerException<T> extends ApiException {
  constructor(
    readonly answer: T,
    failure: ApiException,
  ) {
    super(failure.errorName, failure.message, failure.headers, { cause: failure.cause });
  }
}
