import { Controller, Get, Param, ParseIntPipe } from '@nestjs/common';

/** A route of the host's own, with the host's defaults: Nest's error shape and the host's throttler. */
@Controller('host/orders')
export class HostController {
  @Get(':id')
  order(@Param('id', ParseIntPipe) id: number): { id: number } {
    return { id };
  }
}
