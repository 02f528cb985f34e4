import 'reflect-metadata';
import { INestApplication, LoggerService, VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HostModule, HostOptions } from './host.module';

/** Boots the host as its main.ts does: global `api` prefix, URI versioning with a default version. */
export async function startHost(
  options: HostOptions,
  logger?: LoggerService,
): Promise<{ app: INestApplication; url: string }> {
  // abortOnError false: a failed start rejects (and a test can read why) instead of exiting the process.
  const app = await NestFactory.create(HostModule.forRoot(options), {
    logger: logger ?? ['error', 'warn'],
    abortOnError: false,
  });
  app.setGlobalPrefix('api');
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}
