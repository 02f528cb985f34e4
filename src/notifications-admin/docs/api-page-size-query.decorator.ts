import { ApiQuery } from '@nestjs/swagger';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../pagination/page-size';

/** Documents the `limit` query parameter every list of this API takes, with the shared default and bound. */
export function ApiPageSizeQuery(): MethodDecorator & ClassDecorator {
  return ApiQuery({
    name: 'limit',
    required: false,
    description: 'Page size',
    schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
  });
}
