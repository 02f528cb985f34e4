import { Get, NotFoundException, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ModuleController } from '../routing/module-controller.decorator';
import { ConsoleAsset, ConsoleAssets } from './console-assets.service';

/**
 * The page's own policy, stricter than the service's: its script and styles
 * are files of this origin, it calls only this origin's API, and Trusted
 * Types make any assignment of a string as markup (`innerHTML`) throw, so
 * nothing a receiver answered can become markup even by mistake.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/**
 * The operators' page (CONTRACT §7). It needs no credentials: it is static,
 * and every call it makes goes to the admin API with the key the operator
 * types. Off unless the module's `console` option is set: then every path
 * here answers 404 like an unknown route. Served at `{routePrefix}/console`,
 * beside the `webhooks` routes whose API it calls.
 */
@ModuleController('console')
@ApiExcludeController()
export class ConsoleController {
  constructor(private readonly assets: ConsoleAssets) {}

  @Get()
  page(@Req() request: Request, @Res() response: Response): void {
    const page = found(this.assets.page());
    // The page loads `console/<file>` relative to its URL: `.../console/` would resolve them one level too deep.
    if (request.path.endsWith('/')) {
      response.redirect(308, '../console');
      return;
    }
    send(response, page);
  }

  @Get(':file')
  file(@Param('file') name: string, @Res() response: Response): void {
    send(response, found(this.assets.file(name)));
  }
}

/** Off, or no such file: answered like an unknown route. */
function found(asset: ConsoleAsset | undefined): ConsoleAsset {
  if (!asset) {
    throw new NotFoundException();
  }
  return asset;
}

function send(response: Response, asset: ConsoleAsset): void {
  response
    .status(200)
    .set({
      'Content-Type': asset.contentType,
      'Content-Security-Policy': CONSOLE_CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      // Revalidated on each load, so a new version of the module is picked up at once.
      'Cache-Control': 'no-cache',
    })
    .send(asset.body);
}
