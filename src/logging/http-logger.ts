import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import pino, { LevelWithSilent } from 'pino';
import { HttpLogger, pinoHttp } from 'pino-http';
import PinoPretty from 'pino-pretty';
import type { LogFormat, LogLevel } from '../config/environment';

export interface LoggingOptions {
  level: LogLevel;
  format: LogFormat;
}

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** A caller's request id is kept only when it is printable ASCII and short: it ends up in every log line. */
const ACCEPTED_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * Credentials a request or answer may carry. Request bodies and the headers
 * of outbound deliveries are never logged at all; these are the inbound
 * headers that pino-http's request serializer would otherwise print.
 * Idempotency-Key is kept: it is a client-chosen correlation key, not a secret.
 */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

/** Probes and scrapes every few seconds would drown the request log; a failing check is logged by Terminus. */
const UNLOGGED_PATHS = /^\/(health|metrics)([/?]|$)/;

/**
 * The standalone service's one pino logger, as pino-http middleware: one
 * JSON line per answered request with its request id (taken from
 * X-Request-Id or generated, and echoed back), and the root logger the Nest
 * logger writes through. Mount it before any other middleware, so requests
 * refused early (bad body, OPTIONS) are logged and answered with their id too.
 */
export function createHttpLogger(options: LoggingOptions): HttpLogger {
  const destination =
    options.format === 'pretty'
      ? PinoPretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
      : pino.destination({ dest: 1, sync: true });
  return pinoHttp<IncomingMessage, ServerResponse, never>(
    {
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // The answer's status is what matters; its headers are the same security headers every time.
      serializers: { res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }) },
      genReqId: requestId,
      quietReqLogger: true,
      autoLogging: { ignore: (request) => UNLOGGED_PATHS.test(request.url ?? '') },
      customLogLevel: (_request, response, error): LevelWithSilent =>
        error || response.statusCode >= 500 ? 'error' : 'info',
    },
    destination,
  );
}

function requestId(request: IncomingMessage, response: ServerResponse): string {
  const given = request.headers['x-request-id'];
  const id = typeof given === 'string' && ACCEPTED_REQUEST_ID.test(given) ? given : randomUUID();
  response.setHeader(REQUEST_ID_HEADER, id);
  return id;
}
