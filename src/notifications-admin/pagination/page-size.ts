/** The page size of every list of the module when the request names none. */
export const DEFAULT_PAGE_SIZE = 50;
/** The largest page any list of the module serves. */
export const MAX_PAGE_SIZE = 200;
