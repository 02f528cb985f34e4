interface DescribedCause {
  text: string;
  fields: { type: string; code?: string; message: string };
}

/** The cause in words: its type, the driver's code when it has one (SQLITE_BUSY, 57014, ECONNRESET), its message. */
export function describeCause(cause: unknown): DescribedCause | undefined {
  if (cause === undefined || cause === null) {
    return undefined;
  }
  if (!(cause instanceof Error)) {
    const message = typeof cause === 'string' ? cause : `a thrown ${typeof cause}`;
    return { text: message, fields: { type: typeof cause, message } };
  }
  // TypeORM's QueryFailedError wraps the driver's error, whose own type and message say more.
  const driverError = (cause as { driverError?: unknown }).driverError;
  const root = driverError instanceof Error ? driverError : cause;
  const rawCode = (root as { code?: unknown }).code;
  const code = typeof rawCode === 'string' || typeof rawCode === 'number' ? String(rawCode) : undefined;
  const type = root.constructor.name;
  return {
    text: `${type}${code ? ` ${code}` : ''}: ${root.message}`,
    fields: { type, ...(code ? { code } : {}), message: root.message },
  };
}
